/**
 * SciPy as an independent reference (Debian package `python3-scipy`, which tools/toolchain.sh
 * installs). Never skipped: a missing SciPy is a failure that says how to install it.
 */
import { spawnSync } from "node:child_process";

/** Debian's python, where Debian's python3-scipy installs (not a pyenv or venv python on PATH). */
const PYTHON = process.env.SCIPY_PYTHON ?? "/usr/bin/python3";

const INSTALL =
  "install Debian's `python3-scipy` (apt-get install python3-scipy; tools/toolchain.sh does it) or set SCIPY_PYTHON to a python that has SciPy";

/**
 * Runs `script` with `input` as JSON on stdin and returns what it printed as JSON on stdout. The
 * script prints floats with repr() where they may be infinite: strict JSON has no Infinity.
 */
export function runScipy(script: string, input: unknown): unknown {
  const run = spawnSync(PYTHON, ["-c", script], {
    input: JSON.stringify(input),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    timeout: 60_000,
  });
  const failure: NodeJS.ErrnoException | undefined = run.error;
  if (failure?.code === "ENOENT") {
    throw new Error(`python not found (${PYTHON}): ${INSTALL}`);
  }
  // Checked before other errors: a python without SciPy exits before reading stdin (EPIPE).
  if (run.stderr.includes("No module named 'scipy'")) throw new Error(`SciPy is missing from ${PYTHON}: ${INSTALL}`);
  if (failure) throw failure;
  if (run.status !== 0) throw new Error(`${PYTHON} failed (exit ${run.status ?? run.signal ?? "?"}): ${run.stderr}`);
  return JSON.parse(run.stdout) as unknown;
}

/** A float that Python printed with repr(): "inf", "-inf" and "nan" included. */
export function pythonFloat(text: string): number {
  if (text === "inf") return Number.POSITIVE_INFINITY;
  if (text === "-inf") return Number.NEGATIVE_INFINITY;
  if (text === "nan") return Number.NaN;
  const value = Number(text);
  if (Number.isNaN(value)) throw new Error(`not a Python float: ${text}`);
  return value;
}
