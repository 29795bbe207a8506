/** Small valid documents that the table-driven tests mutate one line at a time. */
import type { ConfigFile } from '../../src/config/load.ts';

export function environmentYaml(name: string, target: string): string {
  return `apiVersion: shipyard.dev/v1
kind: Environment
metadata:
  name: ${name}
spec:
  namespace:
    name: ${name}
  vercelTarget: ${target}
  access:
    - group: platform-admins
      role: admin
  quota:
    requests.cpu: "4"
  secrets:
    - name: session-key
      description: Signs sessions.
      source:
        generate: { length: 32 }
    - name: database-url
      description: Data store credentials.
      source:
        secretRef: DATABASE_URL
  dataStore:
    engine: postgresql
    host: db.${name}.internal
    port: 5432
    database: app
    credentialsSecret: database-url
`;
}

export const ventureYaml = `apiVersion: shipyard.dev/v1
kind: Venture
metadata:
  name: demo
spec:
  environments: [staging, production]
  vercel:
    project:
      framework: nextjs
      git:
        repository: acme/demo
    env:
      - key: NEXT_PUBLIC_SUPABASE_URL
        description: API URL.
        value: { output: supabase.url }
      - key: API_SECRET
        description: Server secret.
        sensitive: true
        value: { secretRef: DEMO_API_SECRET }
    domains:
      - name: demo.example
  supabase:
    organization: acme
    region: eu-central-1
    projects:
      staging:
        siteUrl: https://staging.demo.example
      production:
        siteUrl: https://demo.example
    database:
      tables:
        - name: notes
          policies:
            - name: owner-read
              command: select
              roles: [authenticated]
              using: owner = auth.uid()
`;

export function baseFiles(): ConfigFile[] {
  return [
    { path: 'environments/staging.yaml', text: environmentYaml('staging', 'preview') },
    { path: 'environments/production.yaml', text: environmentYaml('production', 'production') },
    { path: 'ventures/demo.yaml', text: ventureYaml },
  ];
}

/** Replace one exact snippet in one file; fails loudly if the snippet is not there. */
export function withEdit(files: ConfigFile[], path: string, from: string, to: string): ConfigFile[] {
  return files.map((file) => {
    if (file.path !== path) return file;
    if (!file.text.includes(from)) throw new Error(`fixture ${path} has no ${JSON.stringify(from)}`);
    return { ...file, text: file.text.replace(from, to) };
  });
}
