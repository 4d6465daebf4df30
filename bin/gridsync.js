#!/usr/bin/env -S node --max-semi-space-size=16 --max-old-space-size=1024
// The `gridsync` command. Node 24 runs the TypeScript sources directly (type stripping), so there is no build step.
// This file is plain JavaScript on purpose: it must run on an older Node long enough to say what is needed.
const REQUIRED_MAJOR = 24;
const major = Number(process.versions.node.split('.')[0]);
if (major < REQUIRED_MAJOR) {
  process.stderr.write(
    `gridsync needs Node.js ${REQUIRED_MAJOR} or newer (this is ${process.version}): run it through npm ` +
      `(\`npm start\`, \`npx gridsync\`), which uses the Node ${REQUIRED_MAJOR} that \`npm ci\` installs in ` +
      `node_modules, or install Node ${REQUIRED_MAJOR} LTS from nodejs.org.\n`,
  );
  process.exit(2);
}
await import('../src/cli.ts');
