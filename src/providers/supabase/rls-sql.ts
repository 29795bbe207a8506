/**
 * Row-Level Security as SQL: quoting, the idempotent statements Shipyard runs (enable RLS,
 * drop + create + comment a policy in one transaction), and the rolled-back preview that asks
 * PostgreSQL how it prints a policy's expressions back.
 *
 * Why the comment: pg_policies shows expressions deparsed (`owner_id = (select auth.uid())`
 * comes back as `(owner_id = ( SELECT auth.uid() AS uid))`). Each policy Shipyard writes gets a
 * comment with the expressions as the config wrote them and an md5 of their deparsed form at
 * that moment. While the live deparsed form still has that hash, the live policy is reported
 * with the config's text (no preview call, 0 changes); once someone alters it, the deparsed
 * text is reported and the plan shows the drift. Policies without the comment (made by hand,
 * adopted) are compared through `preview`: the declared policy is created under a scratch
 * name inside a subtransaction that is always rolled back, and its deparsed form read back.
 */

export interface TableRef {
  schema: string;
  table: string;
}

export interface PolicyDefinition {
  name: string;
  command: 'select' | 'insert' | 'update' | 'delete' | 'all';
  roles: string[];
  permissive: boolean;
  using: string | null;
  withCheck: string | null;
}

export const POLICY_COMMENT_PREFIX = 'shipyard:';
const LOCK_TIMEOUT = `select set_config('lock_timeout', '10s', true);`;

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A standard string literal (standard_conforming_strings is on since PostgreSQL 9.1). */
export function quoteLiteral(value: string): string {
  if (value.includes('\u0000')) throw new Error('a SQL literal cannot contain a NUL character');
  return `'${value.replaceAll("'", "''")}'`;
}

export function quoteNullable(value: string | null): string {
  return value === null ? 'null' : quoteLiteral(value);
}

export function qualified(ref: TableRef): string {
  return `${quoteIdent(ref.schema)}.${quoteIdent(ref.table)}`;
}

/** `schema.table`, or a table of `public`. */
export function parseTable(name: string): TableRef {
  const dot = name.indexOf('.');
  return dot < 0 ? { schema: 'public', table: name } : { schema: name.slice(0, dot), table: name.slice(dot + 1) };
}

/** `public` is the keyword for every role; any other name is a role identifier. */
export function roleList(roles: string[]): string {
  if (roles.length === 0) return 'public';
  return roles.map((r) => (r === 'public' ? 'public' : quoteIdent(r))).join(', ');
}

/** A dollar-quoted body whose tag does not occur in it. */
export function dollarQuote(body: string): string {
  let n = 0;
  let tag = '$shipyard$';
  while (body.includes(tag.slice(0, -1))) tag = `$shipyard${++n}$`;
  return `${tag}${body}${tag}`;
}

/**
 * A policy expression is SQL from the config, inserted as `( … )`. It must be one expression:
 * parentheses balanced and no `;` outside literals, identifiers and comments, so it can never
 * close the statement it is part of.
 */
export function checkExpression(expression: string, what: string): void {
  if (expression.trim() === '') throw new Error(`${what} is empty`);
  let depth = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i]!;
    const next = expression[i + 1];
    if (c === "'" || c === '"') {
      const end = closing(expression, i + 1, c);
      if (end < 0) throw new Error(`${what} has an unterminated ${c === "'" ? 'string literal' : 'quoted identifier'}`);
      i = end;
    } else if (c === '-' && next === '-') {
      const end = expression.indexOf('\n', i);
      i = end < 0 ? expression.length : end;
    } else if (c === '/' && next === '*') {
      const end = expression.indexOf('*/', i + 2);
      if (end < 0) throw new Error(`${what} has an unterminated comment`);
      i = end + 1;
    } else if (c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(expression.slice(i))?.[0];
      if (tag) {
        const end = expression.indexOf(tag, i + tag.length);
        if (end < 0) throw new Error(`${what} has an unterminated dollar-quoted string`);
        i = end + tag.length - 1;
      }
    } else if (c === '(') {
      depth++;
    } else if (c === ')') {
      if (--depth < 0) throw new Error(`${what} closes a parenthesis it did not open`);
    } else if (c === ';') {
      throw new Error(`${what} contains ";": a policy expression is a single SQL expression`);
    }
  }
  if (depth !== 0) throw new Error(`${what} leaves ${depth} parenthesis(es) open`);
}

function closing(text: string, from: number, quote: string): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] !== quote) continue;
    if (text[i + 1] === quote) {
      i++;
      continue;
    }
    return i;
  }
  return -1;
}

/** `create policy …` for a definition, under `name` (the real one, or a scratch one for a preview). */
export function createPolicySql(table: TableRef, policy: PolicyDefinition, name = policy.name): string {
  if (policy.using !== null) checkExpression(policy.using, 'using');
  if (policy.withCheck !== null) checkExpression(policy.withCheck, 'withCheck');
  const parts = [
    `create policy ${quoteIdent(name)} on ${qualified(table)}`,
    `as ${policy.permissive ? 'permissive' : 'restrictive'}`,
    `for ${policy.command}`,
    `to ${roleList(policy.roles)}`,
  ];
  if (policy.using !== null) parts.push(`using (${policy.using})`);
  if (policy.withCheck !== null) parts.push(`with check (${policy.withCheck})`);
  return parts.join(' ');
}

/** The md5 the comment keeps and the snapshot recomputes, over a policy's deparsed expressions. */
export function deparsedHashSql(policyAlias: string): string {
  return `md5(coalesce(pg_get_expr(${policyAlias}.polqual, ${policyAlias}.polrelid), '') || chr(10) || coalesce(pg_get_expr(${policyAlias}.polwithcheck, ${policyAlias}.polrelid), ''))`;
}

/**
 * Create or update a policy: drop it if it exists, create it as declared, and comment it, in one
 * transaction (one multi-statement query), so there is no moment without the policy and running
 * it twice gives the same result.
 */
export function upsertPolicySql(table: TableRef, policy: PolicyDefinition): string {
  const target = qualified(table);
  const comment = `${quoteLiteral(POLICY_COMMENT_PREFIX)} || json_build_object('v', 1, 'using', ${quoteNullable(policy.using)}::text, 'withCheck', ${quoteNullable(policy.withCheck)}::text, 'deparsed', (select ${deparsedHashSql('p')} from pg_policy p where p.polrelid = ${quoteLiteral(target)}::regclass and p.polname = ${quoteLiteral(policy.name)}))::text`;
  const body = `begin execute format('comment on policy %I on %s is %L', ${quoteLiteral(policy.name)}, ${quoteLiteral(target)}, ${comment}); end`;
  return [
    LOCK_TIMEOUT,
    `drop policy if exists ${quoteIdent(policy.name)} on ${target};`,
    `${createPolicySql(table, policy)};`,
    `do ${dollarQuote(body)};`,
  ].join('\n');
}

/** Drops a policy; a table that is gone already took its policies with it. */
export function dropPolicySql(table: TableRef, name: string): string {
  const target = qualified(table);
  const body = `begin if to_regclass(${quoteLiteral(target)}) is not null then execute ${quoteLiteral(`drop policy if exists ${quoteIdent(name)} on ${target}`)}; end if; end`;
  return [LOCK_TIMEOUT, `do ${dollarQuote(body)};`].join('\n');
}

export function setRowLevelSecuritySql(table: TableRef, enabled: boolean): string {
  return [LOCK_TIMEOUT, `alter table ${qualified(table)} ${enabled ? 'enable' : 'disable'} row level security;`].join('\n');
}

/**
 * The deparsed expressions of a declared policy, created under a scratch name in a
 * subtransaction that always rolls back; the answer travels out in a transaction-local setting.
 * A missing table or an invalid expression fails the query with PostgreSQL's own error.
 */
export function previewPolicySql(table: TableRef, policy: PolicyDefinition, scratchName: string): string {
  const target = qualified(table);
  const body = [
    'declare q text; c text;',
    'begin',
    '  begin',
    `    ${createPolicySql(table, policy, scratchName)};`,
    `    select pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid) into q, c from pg_policy p where p.polrelid = ${quoteLiteral(target)}::regclass and p.polname = ${quoteLiteral(scratchName)};`,
    `    raise exception using errcode = 'SYPRV', message = 'shipyard preview: rolled back';`,
    `  exception when sqlstate 'SYPRV' then null;`,
    '  end;',
    `  perform set_config('shipyard.preview', json_build_object('using', q, 'withCheck', c)::text, true);`,
    'end',
  ].join('\n');
  return [`select set_config('lock_timeout', '5s', true);`, `do ${dollarQuote(body)};`, `select current_setting('shipyard.preview') as preview;`].join('\n');
}

export interface PolicyComment {
  using: string | null;
  withCheck: string | null;
  deparsed: string;
}

export function parsePolicyComment(comment: string | null | undefined): PolicyComment | undefined {
  if (!comment?.startsWith(POLICY_COMMENT_PREFIX)) return undefined;
  try {
    const parsed = JSON.parse(comment.slice(POLICY_COMMENT_PREFIX.length)) as Record<string, unknown>;
    if (parsed['v'] !== 1 || typeof parsed['deparsed'] !== 'string') return undefined;
    const text = (v: unknown) => (typeof v === 'string' ? v : null);
    return { using: text(parsed['using']), withCheck: text(parsed['withCheck']), deparsed: parsed['deparsed'] };
  } catch {
    return undefined;
  }
}
