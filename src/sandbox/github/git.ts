import type { EmulatorServer } from '../emulator-kit/server.ts';
import { addCommit, moveBranch, resolveRef, treeSha, type Tree } from './commits.ts';
import { created, repoOperation, type GitHubContext } from './context.ts';
import { fail, invalidRequest, notFound, validationFailed } from './errors.ts';
import { bodyObject, isObject, optString, reqString, type Obj } from './input.ts';
import { repoApi } from './render-repo.ts';
import { renderContentFile, renderDirEntry, renderFileCommit, renderGitRef, type DirEntry } from './render.ts';
import { gitBlobSha } from './sequence.ts';
import type { BlobRecord, RepoRecord } from './store.ts';

// Git references (creating a branch) and the contents API (reading and committing single files).

const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/;

function refRecord(repo: RepoRecord, ref: string): Map<string, string> | undefined {
  if (ref.startsWith('refs/heads/')) return repo.branches;
  if (ref.startsWith('refs/tags/')) return repo.tags;
  return undefined;
}

function shortName(ref: string): string {
  return ref.replace(/^refs\/(heads|tags)\//, '');
}

function cleanPath(raw: string): string {
  return raw.replace(/^\/+|\/+$/g, '');
}

/** Files directly under `dir`, and its subdirectories (with a tree SHA of their contents). */
function listDir(tree: Tree, dir: string): DirEntry[] {
  const prefix = dir === '' ? '' : `${dir}/`;
  const files: DirEntry[] = [];
  const dirs = new Map<string, Map<string, BlobRecord>>();
  for (const [path, blob] of tree) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash < 0) {
      files.push({ name: rest, path, type: 'file', sha: blob.sha, size: blob.content.length });
    } else {
      const name = rest.slice(0, slash);
      let sub = dirs.get(name);
      if (!sub) dirs.set(name, (sub = new Map()));
      sub.set(rest.slice(slash + 1), blob);
    }
  }
  const subdirs = [...dirs].map(([name, sub]): DirEntry => ({ name, path: `${prefix}${name}`, type: 'dir', sha: treeSha(sub), size: 0 }));
  return [...files, ...subdirs].sort((a, b) => a.name.localeCompare(b.name));
}

function identity(o: Obj, key: 'author' | 'committer'): { name: string; email: string; date?: number } | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (!isObject(v)) invalidRequest(`For 'properties/${key}', ${JSON.stringify(v)} is not an object.`);
  const name = reqString(v, 'name');
  const email = reqString(v, 'email');
  const date = optString(v, 'date');
  return date === undefined ? { name, email } : { name, email, date: Date.parse(date) };
}

/** The branch a write goes to: `branch` or the default; a missing branch is 404 before anything else. */
function targetBranch(repo: RepoRecord, o: Obj): { branch: string; tip: string } {
  const branch = optString(o, 'branch') ?? repo.defaultBranch;
  const tip = repo.branches.get(branch) ?? notFound(`Branch ${branch} not found`);
  return { branch, tip };
}

export function registerGitRoutes(server: EmulatorServer, ctx: GitHubContext): void {
  repoOperation(server, ctx, { method: 'POST', template: '/repos/{owner}/{repo}/git/refs', docs: 'git/refs#create-a-reference', needs: ['contents'], level: 'write' }, ({ req, repo }) => {
    const o = bodyObject(req.body);
    const ref = reqString(o, 'ref');
    const sha = reqString(o, 'sha');
    const target = refRecord(repo, ref);
    if (!target || shortName(ref) === '') fail(422, "Reference name must start with 'refs/' and have at least two slashes.");
    if (!repo.commits.has(sha)) fail(422, 'Object does not exist');
    if (target.has(shortName(ref))) fail(422, 'Reference already exists');
    target.set(shortName(ref), sha);
    return created(renderGitRef(ctx.urls(), repo, ref, sha), `${repoApi(ctx.urls(), repo)}/git/${ref}`);
  });

  repoOperation(server, ctx, { method: 'GET', template: '/repos/{owner}/{repo}/git/ref/{ref}', docs: 'git/refs#get-a-reference', needs: ['contents'], level: 'read' }, ({ req, repo }) => {
    const ref = `refs/${(req.params['ref'] ?? '').replace(/^refs\//, '')}`;
    const sha = refRecord(repo, ref)?.get(shortName(ref)) ?? notFound();
    return { status: 200, body: renderGitRef(ctx.urls(), repo, ref, sha) };
  });

  const contents = '/repos/{owner}/{repo}/contents/{path}';
  repoOperation(server, ctx, { method: 'GET', template: contents, docs: 'repos/contents#get-repository-content', needs: ['contents'], level: 'read' }, ({ req, repo }) => {
    const path = cleanPath(req.params['path'] ?? '');
    const ref = req.query.get('ref') || repo.defaultBranch;
    const sha = resolveRef(repo, ref) ?? notFound(`No commit found for the ref ${ref}`);
    const tree = repo.commits.get(sha)?.tree ?? new Map<string, BlobRecord>();
    const blob = tree.get(path);
    if (blob) return { status: 200, body: renderContentFile(ctx.urls(), repo, path, ref, blob) };
    const entries = listDir(tree, path);
    if (entries.length === 0) notFound();
    return { status: 200, body: entries.map((e) => renderDirEntry(ctx.urls(), repo, ref, e)) };
  });

  repoOperation(server, ctx, { method: 'PUT', template: contents, docs: 'repos/contents#create-or-update-file-contents', needs: ['contents'], level: 'write' }, ({ req, repo }) => {
    const path = cleanPath(req.params['path'] ?? '');
    const o = bodyObject(req.body);
    const message = reqString(o, 'message');
    const content = reqString(o, 'content');
    const given = optString(o, 'sha');
    const author = identity(o, 'author');
    const committer = identity(o, 'committer');
    if (!BASE64.test(content)) validationFailed({ resource: 'Commit', field: 'content', code: 'invalid', message: 'content is not valid Base64' });
    const { branch, tip } = targetBranch(repo, o);
    const parent = repo.commits.get(tip)!;
    const existing = parent.tree.get(path);
    if (existing) {
      if (given === undefined) invalidRequest(`"sha" wasn't supplied.`);
      if (given !== existing.sha) fail(409, `${path} does not match ${given}`);
    }
    const bytes = Buffer.from(content, 'base64');
    const blob: BlobRecord = { sha: gitBlobSha(bytes), content: bytes };
    const tree = new Map(parent.tree);
    tree.set(path, blob);
    const commit = addCommit(ctx, repo, { tree, parents: [tip], message, ...(author ? { author } : {}), ...(committer ? { committer } : author ? { committer: author } : {}) });
    moveBranch(ctx, repo, branch, commit.sha);
    const body = renderFileCommit(ctx.urls(), repo, commit, { path, ref: branch, blob });
    return { status: existing ? 200 : 201, body };
  });

  repoOperation(server, ctx, { method: 'DELETE', template: contents, docs: 'repos/contents#delete-a-file', needs: ['contents'], level: 'write' }, ({ req, repo }) => {
    const path = cleanPath(req.params['path'] ?? '');
    const o = bodyObject(req.body);
    const message = reqString(o, 'message');
    const given = reqString(o, 'sha');
    const { branch, tip } = targetBranch(repo, o);
    const parent = repo.commits.get(tip)!;
    const existing = parent.tree.get(path) ?? notFound();
    if (given !== existing.sha) fail(409, `${path} does not match ${given}`);
    const tree = new Map(parent.tree);
    tree.delete(path);
    const author = identity(o, 'author');
    const commit = addCommit(ctx, repo, { tree, parents: [tip], message, ...(author ? { author, committer: author } : {}) });
    moveBranch(ctx, repo, branch, commit.sha);
    return { status: 200, body: renderFileCommit(ctx.urls(), repo, commit, null) };
  });
}
