#!/usr/bin/env node
// Node 24 strips TypeScript types natively, so the CLI runs from source with no build step.
const { runCli } = await import('../src/cli.ts');
await runCli();
