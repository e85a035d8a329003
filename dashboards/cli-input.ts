import { stderr, stdin } from 'node:process';

/**
 * Reads a secret for the CLIs: the first line of stdin when it is piped (scripts, CI), otherwise a
 * prompt on the terminal with echo off. The secret never appears on screen or in shell history.
 */
export async function readSecret(prompt: string): Promise<string> {
  if (!stdin.isTTY) return (await readAllStdin()).split(/\r?\n/)[0] ?? '';
  stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let secret = '';
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      stderr.write('\n');
      if (error) reject(error);
      else resolve(secret);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') return done();
        if (char === '\u0003') return done(new Error('cancelled'));
        if (char === '\u007f' || char === '\b') secret = secret.slice(0, -1);
        else secret += char;
      }
    };
    stdin.on('data', onData);
  });
}

let piped: Promise<string> | undefined;
export function readAllStdin(): Promise<string> {
  piped ??= new Promise((resolve, reject) => {
    let text = '';
    stdin.setEncoding('utf8');
    stdin.on('data', (chunk: string) => {
      text += chunk;
    });
    stdin.on('end', () => resolve(text));
    stdin.on('error', reject);
  });
  return piped;
}
