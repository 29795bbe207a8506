/**
 * Table-driven: each case edits one valid document and names every diagnostic expected,
 * with its file, line, column, code and the start of its message.
 */
import { describe, expect, it } from 'vitest';
import { loadConfigFiles } from '../../src/config/load.ts';
import { baseFiles, withEdit } from './fixtures.ts';

type Expected = [file: string, line: number, column: number, code: string, message: string];
interface Case {
  name: string;
  file: string;
  /** `*` replaces the whole file. */
  from: string;
  to: string;
  expect: Expected[];
}

const cases: Case[] = [
  { name: "wrong apiVersion", file: "ventures/demo.yaml", from: "apiVersion: shipyard.dev/v1\nkind: Venture", to: "apiVersion: shipyard.dev/v2\nkind: Venture",
    expect: [["ventures/demo.yaml", 1, 13, "schema.const", "`apiVersion` must be `shipyard.dev/v1`"]] },
  { name: "wrong kind", file: "ventures/demo.yaml", from: "kind: Venture", to: "kind: Environment",
    expect: [["ventures/demo.yaml", 2, 7, "document.wrong-kind", "a `Environment` document in ventures/, w"]] },
  { name: "missing metadata name", file: "ventures/demo.yaml", from: "metadata:\n  name: demo", to: "metadata:\n  description: x",
    expect: [["ventures/demo.yaml", 3, 1, "schema.required", "missing required property `name` in `met"]] },
  { name: "name not matching file", file: "ventures/demo.yaml", from: "  name: demo", to: "  name: demo-two",
    expect: [["ventures/demo.yaml", 4, 9, "naming.file-name", "`metadata.name` is `demo-two` but the fi"]] },
  { name: "uppercase name", file: "ventures/demo.yaml", from: "  name: demo", to: "  name: Demo",
    expect: [["ventures/demo.yaml", 4, 9, "schema.pattern", "`Demo` is not a valid `name`"]] },
  { name: "unknown top-level property", file: "ventures/demo.yaml", from: "kind: Venture", to: "kind: Venture\nstatus: {}",
    expect: [["ventures/demo.yaml", 3, 1, "schema.unknown-property", "unknown property `status`"]] },
  { name: "typo in spec property", file: "ventures/demo.yaml", from: "  environments: [staging, production]", to: "  enviroments: [staging, production]",
    expect: [["ventures/demo.yaml", 5, 1, "schema.required", "missing required property `environments`"],
      ["ventures/demo.yaml", 6, 3, "schema.unknown-property", "unknown property `enviroments`"]] },
  { name: "unknown environment", file: "ventures/demo.yaml", from: "[staging, production]", to: "[staging, prod]",
    expect: [["ventures/demo.yaml", 6, 27, "ref.unknown-environment", "environment `prod` does not exist"],
      ["ventures/demo.yaml", 28, 7, "ref.unknown-environment", "Supabase project for `production`, which"]] },
  { name: "empty environments", file: "ventures/demo.yaml", from: "[staging, production]", to: "[]",
    expect: [["ventures/demo.yaml", 6, 17, "schema.minitems", "`environments` needs at least 1 entry"]] },
  { name: "duplicate environment", file: "ventures/demo.yaml", from: "[staging, production]", to: "[staging, staging]",
    expect: [["ventures/demo.yaml", 6, 27, "schema.duplicate-item", "`staging` is listed twice in `environmen"]] },
  { name: "wrong framework", file: "ventures/demo.yaml", from: "framework: nextjs", to: "framework: remix",
    expect: [["ventures/demo.yaml", 9, 18, "schema.enum", "`remix` is not allowed for `framework`"]] },
  { name: "missing git", file: "ventures/demo.yaml", from: "      git:\n        repository: acme/demo\n", to: "",
    expect: [["ventures/demo.yaml", 8, 5, "schema.required", "missing required property `git` in `spec"]] },
  { name: "bad repository", file: "ventures/demo.yaml", from: "repository: acme/demo", to: "repository: acme",
    expect: [["ventures/demo.yaml", 11, 21, "schema.pattern", "`acme` is not a valid `repository`"]] },
  { name: "sensitive literal", file: "ventures/demo.yaml", from: "value: { secretRef: DEMO_API_SECRET }", to: "value: { literal: hunter2-hunter2 }",
    expect: [["ventures/demo.yaml", 19, 16, "secret.literal", "a sensitive variable cannot have a liter"]] },
  { name: "secret-looking key with literal", file: "ventures/demo.yaml", from: "        sensitive: true\n        value: { secretRef: DEMO_API_SECRET }", to: "        value: { literal: abc }",
    expect: [["ventures/demo.yaml", 18, 27, "secret.literal", "`API_SECRET` looks like a secret but its"]] },
  { name: "jwt literal under a public name", file: "ventures/demo.yaml", from: "value: { output: supabase.url }", to: "value: { literal: eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.sig }",
    expect: [["ventures/demo.yaml", 15, 27, "secret.literal", "`NEXT_PUBLIC_SUPABASE_URL` looks like a "]] },
  { name: "unknown output", file: "ventures/demo.yaml", from: "value: { output: supabase.url }", to: "value: { output: supabase.nope }",
    expect: [["ventures/demo.yaml", 15, 26, "schema.enum", "`supabase.nope` is not allowed for `outp"]] },
  { name: "value with two sources", file: "ventures/demo.yaml", from: "value: { output: supabase.url }", to: "value: { output: supabase.url, literal: x }",
    expect: [["ventures/demo.yaml", 15, 16, "schema.one-of", "`literal` and `output` are alternatives;"]] },
  { name: "value with no source", file: "ventures/demo.yaml", from: "value: { output: supabase.url }", to: "value: {}",
    expect: [["ventures/demo.yaml", 15, 16, "schema.one-of", "expected exactly one of `literal`, `secr"]] },
  { name: "service key exposed to browser", file: "ventures/demo.yaml", from: "value: { output: supabase.url }", to: "value: { output: supabase.serviceRoleKey }\n        sensitive: true",
    expect: [["ventures/demo.yaml", 13, 14, "secret.public", "`NEXT_PUBLIC_SUPABASE_URL` would expose "]] },
  { name: "secret ref not sensitive", file: "ventures/demo.yaml", from: "        sensitive: true\n        value: { secretRef: DEMO_API_SECRET }", to: "        value: { secretRef: DEMO_API_SECRET }",
    expect: [["ventures/demo.yaml", 18, 16, "secret.not-sensitive", "`API_SECRET` holds a secret but is not m"]] },
  { name: "rotation of an output", file: "ventures/demo.yaml", from: "        value: { output: supabase.url }", to: "        value: { output: supabase.url }\n        rotation: { every: 30d }",
    expect: [["ventures/demo.yaml", 16, 9, "rotation.output", "`NEXT_PUBLIC_SUPABASE_URL` takes `supaba"]] },
  { name: "rotation of a literal", file: "ventures/demo.yaml", from: "    domains:", to: "      - key: NEXT_PUBLIC_NAME\n        description: Name.\n        value: { literal: Demo }\n        rotation: { every: 30d }\n    domains:",
    expect: [["ventures/demo.yaml", 23, 9, "rotation.literal", "`NEXT_PUBLIC_NAME` has a literal value, "]] },
  { name: "rotation name taken", file: "ventures/demo.yaml", from: "    domains:", to: "      - key: API_SECRET_PREVIOUS\n        description: Old.\n        sensitive: true\n        value: { secretRef: DEMO_API_SECRET_OLD }\n    domains:",
    expect: [["ventures/demo.yaml", 16, 14, "rotation.previous-taken", "rotation keeps the old value of `API_SEC"]] },
  { name: "lowercase secretRef", file: "ventures/demo.yaml", from: "DEMO_API_SECRET", to: "demo_api_secret",
    expect: [["ventures/demo.yaml", 19, 29, "schema.pattern", "`demo_api_secret` is not a valid `secret"]] },
  { name: "unknown target", file: "ventures/demo.yaml", from: "        description: API URL.", to: "        description: API URL.\n        targets: [development]",
    expect: [["ventures/demo.yaml", 15, 19, "ref.unknown-target", "target `development` is not deployed by "]] },
  { name: "gitBranch without preview", file: "ventures/demo.yaml", from: "        description: API URL.", to: "        description: API URL.\n        gitBranch: feature-x",
    expect: [["ventures/demo.yaml", 15, 9, "vercel.git-branch", "`gitBranch` only applies to preview vari"]] },
  { name: "duplicate env key", file: "ventures/demo.yaml", from: "      - key: API_SECRET", to: "      - key: NEXT_PUBLIC_SUPABASE_URL",
    expect: [["ventures/demo.yaml", 16, 14, "vercel.duplicate-env", "`NEXT_PUBLIC_SUPABASE_URL` for target `p"],
      ["ventures/demo.yaml", 16, 14, "vercel.duplicate-env", "`NEXT_PUBLIC_SUPABASE_URL` for target `p"]] },
  { name: "env key with dash", file: "ventures/demo.yaml", from: "      - key: API_SECRET", to: "      - key: API-SECRET",
    expect: [["ventures/demo.yaml", 16, 14, "schema.pattern", "`API-SECRET` is not a valid `key`"]] },
  { name: "missing env description", file: "ventures/demo.yaml", from: "        description: Server secret.\n", to: "",
    expect: [["ventures/demo.yaml", 16, 9, "schema.required", "missing required property `description` "]] },
  { name: "www domain", file: "ventures/demo.yaml", from: "      - name: demo.example", to: "      - name: www.demo.example",
    expect: [["ventures/demo.yaml", 21, 15, "schema.pattern", "`www.demo.example` is not a valid `name`"]] },
  { name: "bad redirect", file: "ventures/demo.yaml", from: "      - name: demo.example", to: "      - name: demo.example\n        redirect: sideways",
    expect: [["ventures/demo.yaml", 22, 19, "schema.enum", "`sideways` is not allowed for `redirect`"]] },
  { name: "external dns with records", file: "ventures/demo.yaml", from: "      - name: demo.example", to: "      - name: demo.example\n        dns: { mode: external, records: [{ type: TXT, name: \"\", value: x }] }",
    expect: [["ventures/demo.yaml", 22, 32, "domain.external-records", "records can only be managed when `mode: "]] },
  { name: "supabase project for foreign env", file: "ventures/demo.yaml", from: "      staging:\n        siteUrl", to: "      development:\n        siteUrl",
    expect: [["ventures/demo.yaml", 15, 26, "ref.unknown-output", "`supabase.url` for target `preview` need"],
      ["ventures/demo.yaml", 26, 7, "ref.unknown-environment", "Supabase project for `development`, whic"]] },
  { name: "bad region", file: "ventures/demo.yaml", from: "region: eu-central-1", to: "region: mars-north-1",
    expect: [["ventures/demo.yaml", 24, 13, "schema.enum", "`mars-north-1` is not allowed for `regio"]] },
  { name: "site url with comma", file: "ventures/demo.yaml", from: "siteUrl: https://demo.example", to: "siteUrl: https://demo.example,https://x.example",
    expect: [["ventures/demo.yaml", 29, 18, "schema.pattern", "`https://demo.example,https://x.example`"]] },
  { name: "oauth secret as literal", file: "ventures/demo.yaml", from: "        siteUrl: https://demo.example\n", to: "        siteUrl: https://demo.example\n        oauthSecrets:\n          google: my-google-secret\n",
    expect: [["ventures/demo.yaml", 31, 19, "secret.literal", "a secret value is written here as a lite"]] },
  { name: "oauth enabled without secret", file: "ventures/demo.yaml", from: "    database:", to: "    auth:\n      google:\n        clientId: abc.apps\n    database:",
    expect: [["ventures/demo.yaml", 26, 7, "ref.missing-oauth-secret", "google sign-in is enabled but the `stagi"],
      ["ventures/demo.yaml", 28, 7, "ref.missing-oauth-secret", "google sign-in is enabled but the `produ"]] },
  { name: "duplicate policy", file: "ventures/demo.yaml", from: "    database:\n      tables:\n        - name: notes\n          policies:\n            - name: owner-read\n              command: select\n              roles: [authenticated]\n              using: owner = auth.uid()\n", to: "    database:\n      tables:\n        - name: notes\n          policies:\n            - name: owner-read\n              command: select\n              roles: [authenticated]\n              using: owner = auth.uid()\n            - name: owner-read\n              command: delete\n              roles: [authenticated]\n              using: \"true\"\n",
    expect: [["ventures/demo.yaml", 38, 21, "rls.duplicate-policy", "policy `owner-read` is declared twice on"]] },
  { name: "insert with using", file: "ventures/demo.yaml", from: "              command: select", to: "              command: insert",
    expect: [["ventures/demo.yaml", 37, 15, "rls.insert-using", "an insert policy cannot have `using`"]] },
  { name: "bad role", file: "ventures/demo.yaml", from: "roles: [authenticated]", to: "roles: [admin]",
    expect: [["ventures/demo.yaml", 36, 23, "schema.enum", "`admin` is not allowed for `roles`"]] },
  { name: "rls test on unknown table", file: "ventures/demo.yaml", from: "              using: owner = auth.uid()\n", to: "              using: owner = auth.uid()\n      rlsTests:\n        - { role: anon, can: select, table: todos, rows: 0 }\n",
    expect: [["ventures/demo.yaml", 39, 45, "ref.unknown-table", "`todos` is not one of the declared table"]] },
  { name: "tombstone for another venture", file: "ventures/demo.yaml", from: "  supabase:", to: "  protection:\n    tombstones:\n      - { address: supabase/other-production/project, reason: no longer needed at all, approvedBy: ceo }\n  supabase:",
    expect: [["ventures/demo.yaml", 24, 20, "ref.foreign-tombstone", "tombstone for `supabase/other-production"]] },
  { name: "spec and tombstone both", file: "ventures/demo.yaml", from: "kind: Venture", to: "kind: Venture\ntombstone: { reason: shutting this down now, approvedBy: ceo }",
    expect: [["ventures/demo.yaml", 1, 1, "schema.spec-or-tombstone", "a document has either `spec` or `tombsto"]] },
  { name: "yaml duplicate key", file: "ventures/demo.yaml", from: "  name: demo", to: "  name: demo\n  name: demo",
    expect: [["ventures/demo.yaml", 5, 3, "yaml.duplicate-key", "Map keys must be unique"]] },
  { name: "yaml bad indentation", file: "ventures/demo.yaml", from: "    project:\n      framework: nextjs", to: "    project:\n      framework: nextjs\n     oops: 1",
    expect: [["ventures/demo.yaml", 10, 1, "yaml.bad-indent", "All mapping items must start at the same"]] },
  { name: "tab indentation", file: "ventures/demo.yaml", from: "    project:\n      framework: nextjs", to: "    project:\n\tframework: nextjs",
    expect: [["ventures/demo.yaml", 9, 1, "yaml.tab-as-indent", "Tabs are not allowed as indentation"]] },
  { name: "too few secrets", file: "environments/staging.yaml", from: "    - name: database-url\n      description: Data store credentials.\n      source:\n        secretRef: DATABASE_URL\n", to: "",
    expect: [["environments/staging.yaml", 15, 5, "schema.minitems", "`secrets` needs at least 2 entries"]] },
  { name: "secret literal in env", file: "environments/staging.yaml", from: "        secretRef: DATABASE_URL", to: "        value: postgres://app:pw@db/app",
    expect: [["environments/staging.yaml", 22, 9, "schema.one-of", "expected exactly one of `secretRef`, `ge"]] },
  { name: "unknown credentials secret", file: "environments/staging.yaml", from: "credentialsSecret: database-url", to: "credentialsSecret: db-creds",
    expect: [["environments/staging.yaml", 28, 24, "ref.unknown-secret", "`credentialsSecret` names `db-creds`, wh"]] },
  { name: "bad role", file: "environments/staging.yaml", from: "      role: admin", to: "      role: owner",
    expect: [["environments/staging.yaml", 11, 13, "schema.enum", "`owner` is not allowed for `role`"]] },
  { name: "unquoted quota number", file: "environments/staging.yaml", from: "requests.cpu: \"4\"", to: "requests.cpu: 4",
    expect: [["environments/staging.yaml", 13, 19, "schema.type", "`requests.cpu` must be a string, not num"]] },
  { name: "bad quota key", file: "environments/staging.yaml", from: "requests.cpu: \"4\"", to: "request.cpu: \"4\"",
    expect: [["environments/staging.yaml", 13, 5, "schema.property-name", "`request.cpu` is not an allowed key in `"]] },
  { name: "target taken twice", file: "environments/staging.yaml", from: "vercelTarget: preview", to: "vercelTarget: production",
    expect: [["environments/production.yaml", 8, 17, "environment.target-taken", "Vercel target `production` already maps "]] },
  { name: "allow rule unknown environment", file: "environments/staging.yaml", from: "  quota:", to: "  network:\n    allow:\n      - name: from-qa\n        direction: ingress\n        peers: [{ environment: qa }]\n  quota:",
    expect: [["environments/staging.yaml", 16, 32, "ref.unknown-environment", "environment `qa` does not exist"]] },
  { name: "bad port", file: "environments/staging.yaml", from: "  quota:", to: "  network:\n    allow:\n      - name: web\n        direction: ingress\n        peers: [{ environment: production }]\n        ports: [{ port: 70000 }]\n  quota:",
    expect: [["environments/staging.yaml", 17, 25, "schema.one-of", "`70000` is not a valid `port`"]] },
  { name: "data store port string", file: "environments/staging.yaml", from: "    port: 5432", to: "    port: \"5432\"",
    expect: [["environments/staging.yaml", 26, 11, "schema.type", "`port` must be an integer, not string `5"]] },
  { name: "missing apiVersion and kind", file: "environments/staging.yaml", from: "apiVersion: shipyard.dev/v1\nkind: Environment\nmetadata:", to: "# nothing\nmetadata:",
    expect: [["environments/staging.yaml", 2, 1, "schema.required", "missing required property `apiVersion`"],
      ["environments/staging.yaml", 2, 1, "schema.required", "missing required property `kind`"]] },
  { name: "empty file", file: "ventures/demo.yaml", from: "*", to: "",
    expect: [["ventures/demo.yaml", 1, 1, "document.not-a-mapping", "the file does not hold a Venture documen"]] },
  { name: "a list instead of a mapping", file: "ventures/demo.yaml", from: "*", to: "- a\n- b",
    expect: [["ventures/demo.yaml", 1, 1, "document.not-a-mapping", "the file does not hold a Venture documen"]] },
  { name: "protected tombstone with short reason", file: "ventures/demo.yaml", from: "  supabase:", to: "  protection:\n    tombstones:\n      - { address: supabase/demo-production/project, reason: no, approvedBy: ceo }\n  supabase:",
    expect: [["ventures/demo.yaml", 24, 62, "schema.minlength", "`no` is not a valid `reason` (must NOT h"]] },
];

describe('validate: bad inputs', () => {
  it('starts from a valid configuration', () => {
    expect(loadConfigFiles('/repo', baseFiles()).diagnostics).toEqual([]);
  });

  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)('$name', (testCase) => {
    const files = testCase.from === '*'
      ? baseFiles().map((f) => (f.path === testCase.file ? { ...f, text: testCase.to } : f))
      : withEdit(baseFiles(), testCase.file, testCase.from, testCase.to);
    const { diagnostics } = loadConfigFiles('/repo', files);
    expect(diagnostics.map((d) => [d.file, d.line, d.column, d.code, d.message.slice(0, 40)])).toEqual(testCase.expect);
    for (const d of diagnostics) {
      expect(d.hint.length, `hint of ${d.code}`).toBeGreaterThan(10);
      expect(d.message).not.toMatch(/\n|\bat .*\.ts:\d+/);
    }
  });
});
