/**
 * The soak gate: judges the staging soak from Prometheus and says GO or NO-GO (see --help).
 *
 *   npm run gate -- --prometheus-url http://prometheus:9090 --stack staging --report .gate
 */
import { main } from "./gate/cli";

void main(process.argv.slice(2), process.env, {
  stdout: process.stdout,
  stderr: process.stderr,
  // Every wait inside has its own bound; this one ends the process whatever is still waiting.
  onBound: (seconds) => {
    setTimeout(() => {
      process.stderr.write(`gate: no result within ${seconds} s; giving up\n`);
      process.exit(2);
    }, seconds * 1000).unref();
  },
}).then((code) => {
  process.exitCode = code;
});
