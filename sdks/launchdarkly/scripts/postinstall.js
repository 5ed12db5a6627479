const { execSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
try {
    execSync(`tsc`, {
        cwd: root,
        stdio: 'inherit',
    });
    // utilities.getVersion() reads the package version from next to the compiled code.
    fs.copyFileSync(path.join(root, 'package.json'), path.join(root, 'bin', 'package.json'));
} catch (error) {
    console.error('Failed to build the SDK:', error);
    process.exit(1);
}
