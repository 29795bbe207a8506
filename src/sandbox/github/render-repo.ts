import { iso, nodeId } from './sequence.ts';
import { fullName, type RepoRecord, type UserRecord } from './store.ts';

// Users, repositories and apps as GitHub renders them. API URLs point at the emulator (so a
// client following one stays local); web URLs at `html` (https://github.com by default).

export type Json = Record<string, unknown>;

export interface Urls {
  /** The emulator's base URL, e.g. http://127.0.0.1:43123. */
  readonly api: string;
  readonly html: string;
}

export function repoApi(urls: Urls, repo: RepoRecord): string {
  return `${urls.api}/repos/${fullName(repo)}`;
}

export function repoHtml(urls: Urls, repo: RepoRecord): string {
  return `${urls.html}/${fullName(repo)}`;
}

/** Each path segment escaped, slashes kept: the form GitHub uses in blob and contents URLs. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

export function avatarUrl(user: UserRecord): string {
  return `https://avatars.githubusercontent.com/u/${user.id}?v=4`;
}

export function renderUser(urls: Urls, u: UserRecord): Json {
  const url = `${urls.api}/users/${encodeURIComponent(u.login)}`;
  const slug = u.login.replace(/\[bot\]$/, '');
  return {
    login: u.login,
    id: u.id,
    node_id: nodeId(u.type === 'Organization' ? 'O' : u.type === 'Bot' ? 'BOT' : 'U', u.id),
    avatar_url: avatarUrl(u),
    gravatar_id: '',
    url,
    html_url: u.type === 'Bot' ? `${urls.html}/apps/${slug}` : `${urls.html}/${u.login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: u.type,
    user_view_type: 'public',
    site_admin: false,
  };
}

export type RepoShape = 'minimal' | 'repository' | 'full';

/**
 * `minimal` (combined status), `repository` (pull request head/base) and `full` (GET repo)
 * differ only in how many of the counters and flags they carry.
 */
export function renderRepo(urls: Urls, repo: RepoRecord, shape: RepoShape, openIssues = 0): Json {
  const u = repoApi(urls, repo);
  const name = fullName(repo);
  const out: Json = {
    id: repo.id,
    node_id: nodeId('R', repo.id),
    name: repo.name,
    full_name: name,
    private: repo.private,
    owner: renderUser(urls, repo.owner),
    html_url: repoHtml(urls, repo),
    description: repo.description,
    fork: false,
    url: u,
    archive_url: `${u}/{archive_format}{/ref}`,
    assignees_url: `${u}/assignees{/user}`,
    blobs_url: `${u}/git/blobs{/sha}`,
    branches_url: `${u}/branches{/branch}`,
    collaborators_url: `${u}/collaborators{/collaborator}`,
    comments_url: `${u}/comments{/number}`,
    commits_url: `${u}/commits{/sha}`,
    compare_url: `${u}/compare/{base}...{head}`,
    contents_url: `${u}/contents/{+path}`,
    contributors_url: `${u}/contributors`,
    deployments_url: `${u}/deployments`,
    downloads_url: `${u}/downloads`,
    events_url: `${u}/events`,
    forks_url: `${u}/forks`,
    git_commits_url: `${u}/git/commits{/sha}`,
    git_refs_url: `${u}/git/refs{/sha}`,
    git_tags_url: `${u}/git/tags{/sha}`,
    git_url: `git://github.com/${name}.git`,
    issue_comment_url: `${u}/issues/comments{/number}`,
    issue_events_url: `${u}/issues/events{/number}`,
    issues_url: `${u}/issues{/number}`,
    keys_url: `${u}/keys{/key_id}`,
    labels_url: `${u}/labels{/name}`,
    languages_url: `${u}/languages`,
    merges_url: `${u}/merges`,
    milestones_url: `${u}/milestones{/number}`,
    notifications_url: `${u}/notifications{?since,all,participating}`,
    pulls_url: `${u}/pulls{/number}`,
    releases_url: `${u}/releases{/id}`,
    ssh_url: `git@github.com:${name}.git`,
    stargazers_url: `${u}/stargazers`,
    statuses_url: `${u}/statuses/{sha}`,
    subscribers_url: `${u}/subscribers`,
    subscription_url: `${u}/subscription`,
    tags_url: `${u}/tags`,
    teams_url: `${u}/teams`,
    trees_url: `${u}/git/trees{/sha}`,
    hooks_url: `${u}/hooks`,
  };
  if (shape === 'minimal') return out;
  const s = repo.settings;
  Object.assign(out, {
    clone_url: `${repoHtml(urls, repo)}.git`,
    mirror_url: null,
    svn_url: repoHtml(urls, repo),
    homepage: repo.homepage,
    language: null,
    forks_count: 0,
    forks: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 0,
    default_branch: repo.defaultBranch,
    open_issues_count: openIssues,
    open_issues: openIssues,
    is_template: false,
    topics: [],
    has_issues: s.hasIssues,
    has_projects: s.hasProjects,
    has_wiki: s.hasWiki,
    has_pages: false,
    has_downloads: true,
    has_discussions: s.hasDiscussions,
    archived: repo.archived,
    disabled: false,
    visibility: repo.private ? 'private' : 'public',
    pushed_at: iso(repo.pushedAt),
    created_at: iso(repo.createdAt),
    updated_at: iso(repo.updatedAt),
    allow_forking: true,
    web_commit_signoff_required: false,
    license: null,
  });
  if (shape === 'repository') return out;
  Object.assign(out, {
    allow_squash_merge: s.allowSquashMerge,
    allow_merge_commit: s.allowMergeCommit,
    allow_rebase_merge: s.allowRebaseMerge,
    allow_auto_merge: s.allowAutoMerge,
    delete_branch_on_merge: s.deleteBranchOnMerge,
    network_count: 0,
    subscribers_count: 0,
  });
  if (repo.owner.type === 'Organization') out['organization'] = renderUser(urls, repo.owner);
  return out;
}

/** Check runs belong to the GitHub App behind the token; `github-actions[bot]` is GitHub Actions. */
export function renderApp(urls: Urls, creator: UserRecord): Json {
  const slug = creator.login.replace(/\[bot\]$/, '');
  const actions = slug === 'github-actions';
  const id = actions ? 15368 : creator.id;
  return {
    id,
    slug,
    node_id: nodeId('APP', id),
    owner: renderUser(urls, { login: actions ? 'github' : slug, id: actions ? 9919 : creator.id + 1, type: 'Organization' }),
    name: actions ? 'GitHub Actions' : slug,
    description: actions ? 'Automate your workflow from idea to production' : null,
    external_url: actions ? 'https://help.github.com/en/actions' : `${urls.html}/apps/${slug}`,
    html_url: `${urls.html}/apps/${slug}`,
    created_at: '2018-07-30T09:30:17Z',
    updated_at: '2024-04-10T20:33:16Z',
    permissions: { checks: 'write', contents: 'write', issues: 'write', metadata: 'read', pull_requests: 'write', statuses: 'write' },
    events: ['check_run', 'check_suite', 'pull_request', 'push'],
  };
}
