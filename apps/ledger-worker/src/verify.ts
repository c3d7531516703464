import { verifyCommand } from './verify-command';

verifyCommand(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`verification could not run: ${(error as Error).message}`);
    process.exit(2);
  },
);
