/** Where runner secrets come from: the process environment in CI, a map in tests and the sandbox. */
import { Sensitive } from '../model/sensitive.ts';
import { processRedactor } from './redact.ts';

export interface SecretLookup {
  lookup(name: string): Sensitive<string> | undefined;
}

export function secretsFromEnv(env: NodeJS.ProcessEnv): SecretLookup {
  return secretsFromMap(env);
}

export function secretsFromMap(values: Record<string, string | undefined>): SecretLookup {
  return {
    lookup(name) {
      const value = values[name];
      if (value === undefined || value === '') return undefined;
      processRedactor.add(value);
      return new Sensitive(value);
    },
  };
}
