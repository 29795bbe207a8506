/** Where runner secrets come from: the process environment in CI, a map in tests and the sandbox. */
import { Sensitive } from '../model/sensitive.ts';
import { processRedactor } from './redact.ts';

export interface SecretLookup {
  lookup(name: string): Sensitive<string> | undefined;
}

/**
 * Runner secrets from the environment: a variable named like the secret, or an entry of
 * SHIPYARD_RUNNER_SECRETS, a JSON object (a workflow passes \`toJSON(secrets)\`, so every secret
 * the config names is there without listing each one in every workflow).
 */
export function secretsFromEnv(env: NodeJS.ProcessEnv): SecretLookup {
  let bundled: Record<string, string | undefined> = {};
  if (env.SHIPYARD_RUNNER_SECRETS) {
    try {
      const parsed: unknown = JSON.parse(env.SHIPYARD_RUNNER_SECRETS);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) bundled = Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    } catch {
      // Never echo the text: it holds secrets.
      throw new Error('SHIPYARD_RUNNER_SECRETS is not a JSON object; pass ${{ toJSON(secrets) }}');
    }
  }
  return secretsFromMap({ ...bundled, ...env });
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
