// Regenerates auth-config-fields.generated.ts from the Management API's OpenAPI document:
//   node src/sandbox/supabase/generate-auth-config-fields.ts <supabase-management-api.openapi.json>
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { deriveAuthConfigFields, renderAuthConfigFieldsModule } from './auth-config-fields.ts';

const input = process.argv[2];
if (!input) {
  process.stderr.write('usage: node src/sandbox/supabase/generate-auth-config-fields.ts <openapi.json>\n');
  process.exit(2);
}
const fields = deriveAuthConfigFields(JSON.parse(readFileSync(input, 'utf8')) as unknown);
const out = new URL('./auth-config-fields.generated.ts', import.meta.url);
writeFileSync(out, renderAuthConfigFieldsModule(fields, basename(input)));
process.stdout.write(`${fields.length} fields → ${out.pathname}\n`);
