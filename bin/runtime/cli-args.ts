import { type ParseArgsConfig, parseArgs } from 'node:util';

type Parsed<T extends ParseArgsConfig> = ReturnType<typeof parseArgs<T>>;

/**
 * `parseArgs` for the CLIs, which prints the usage with a refusal instead of Node's bare line
 * ("Unknown option '--x'. To specify a positional argument starting with a '-', ..."): someone who
 * mistyped a flag needs the flags that exist. Undefined after a refusal; exit with status 2.
 */
export function parseCliArgs<T extends ParseArgsConfig>(
  options: T,
  usage: string,
  args: string[] = process.argv.slice(2),
): Parsed<T> | undefined {
  try {
    return parseArgs<T>({ ...options, args, strict: true });
  } catch (error) {
    console.error(`error: ${firstSentence((error as Error).message)}\n\n${usage}`);
    return undefined;
  }
}

/** Node's advice on positionals that start with '-' does not fit `npm run x -- ...`, which has its `--`. */
function firstSentence(message: string): string {
  const end = message.indexOf('. ');
  return end > 0 ? message.slice(0, end) : message.replace(/\.$/, '');
}
