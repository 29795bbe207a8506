import type { EmulatorServer } from '../emulator-kit/server.ts';
import { created, intParam, repoOperation, type GitHubContext } from './context.ts';
import { notFound } from './errors.ts';
import { bodyObject, optEnum, querySince, reqString } from './input.ts';
import { checkBodyLength, requireIssue } from './issues.ts';
import { paginate } from './pagination.ts';
import { repoApi } from './render-repo.ts';
import { renderComment, renderReaction } from './render.ts';
import { REACTIONS, type CommentRecord, type ReactionRecord, type RepoRecord, type UserRecord } from './store.ts';

// Issue comments (which are also the conversation comments of pull requests) and reactions.

const PERMS = ['issues', 'pull_requests'] as const;

function requireComment(repo: RepoRecord, id: number): CommentRecord {
  return repo.comments.get(id) ?? notFound();
}

/** Same user and content again answers the existing reaction with 200; new ones are 201. */
function react(ctx: GitHubContext, list: ReactionRecord[], body: unknown, user: UserRecord): { status: 200 | 201; reaction: ReactionRecord } {
  const o = bodyObject(body);
  reqString(o, 'content');
  const content = optEnum(o, 'content', REACTIONS)!;
  const existing = list.find((r) => r.content === content && r.user.id === user.id);
  if (existing) return { status: 200, reaction: existing };
  const reaction: ReactionRecord = { id: ctx.ids.next('reaction'), content, user, createdAt: ctx.clock.stamp() };
  list.push(reaction);
  return { status: 201, reaction };
}

function listReactions(ctx: GitHubContext, req: Parameters<typeof paginate>[0], list: readonly ReactionRecord[]) {
  const content = req.query.get('content');
  const filtered = content ? list.filter((r) => r.content === content) : list;
  const page = paginate(req, ctx.urls().api, filtered);
  return { status: 200, body: page.items.map((r) => renderReaction(ctx.urls(), r)), headers: page.headers };
}

export function registerCommentRoutes(server: EmulatorServer, ctx: GitHubContext): void {
  const commentJson = (repo: RepoRecord, c: CommentRecord) => renderComment(ctx.urls(), repo, requireIssue(repo, c.issueNumber), c);

  repoOperation(server, ctx, { method: 'GET', template: '/repos/{owner}/{repo}/issues/{issue_number}/comments', docs: 'issues/comments#list-issue-comments', needs: PERMS, level: 'read' }, ({ req, repo }) => {
    const issue = requireIssue(repo, intParam(req, 'issue_number'));
    const since = querySince(req.query);
    const comments = [...repo.comments.values()].filter((c) => c.issueNumber === issue.number && (since === undefined || c.updatedAt >= since)).sort((a, b) => a.id - b.id);
    const page = paginate(req, ctx.urls().api, comments);
    return { status: 200, body: page.items.map((c) => commentJson(repo, c)), headers: page.headers };
  });

  repoOperation(server, ctx, { method: 'POST', template: '/repos/{owner}/{repo}/issues/{issue_number}/comments', docs: 'issues/comments#create-an-issue-comment', needs: PERMS, level: 'write' }, ({ req, repo, user }) => {
    const issue = requireIssue(repo, intParam(req, 'issue_number'));
    const body = reqString(bodyObject(req.body), 'body');
    checkBodyLength(body, 'IssueComment');
    const now = ctx.clock.stamp();
    const comment: CommentRecord = { id: ctx.ids.next('comment'), issueNumber: issue.number, body, user, createdAt: now, updatedAt: now, reactions: [] };
    repo.comments.set(comment.id, comment);
    issue.updatedAt = now;
    return created(commentJson(repo, comment), `${repoApi(ctx.urls(), repo)}/issues/comments/${comment.id}`);
  });

  const one = '/repos/{owner}/{repo}/issues/comments/{comment_id}';
  repoOperation(server, ctx, { method: 'GET', template: one, docs: 'issues/comments#get-an-issue-comment', needs: PERMS, level: 'read' }, ({ req, repo }) => {
    return { status: 200, body: commentJson(repo, requireComment(repo, intParam(req, 'comment_id'))) };
  });

  repoOperation(server, ctx, { method: 'PATCH', template: one, docs: 'issues/comments#update-an-issue-comment', needs: PERMS, level: 'write' }, ({ req, repo }) => {
    const comment = requireComment(repo, intParam(req, 'comment_id'));
    const body = reqString(bodyObject(req.body), 'body');
    checkBodyLength(body, 'IssueComment');
    comment.body = body;
    comment.updatedAt = ctx.clock.stamp();
    return { status: 200, body: commentJson(repo, comment) };
  });

  repoOperation(server, ctx, { method: 'DELETE', template: one, docs: 'issues/comments#delete-an-issue-comment', needs: PERMS, level: 'write' }, ({ req, repo }) => {
    const comment = requireComment(repo, intParam(req, 'comment_id'));
    repo.comments.delete(comment.id);
    return { status: 204 };
  });

  const commentReactions = `${one}/reactions`;
  repoOperation(server, ctx, { method: 'GET', template: commentReactions, docs: 'reactions/reactions#list-reactions-for-an-issue-comment', needs: PERMS, level: 'read' }, ({ req, repo }) => {
    return listReactions(ctx, req, requireComment(repo, intParam(req, 'comment_id')).reactions);
  });

  repoOperation(server, ctx, { method: 'POST', template: commentReactions, docs: 'reactions/reactions#create-reaction-for-an-issue-comment', needs: PERMS, level: 'write' }, ({ req, repo, user }) => {
    const { status, reaction } = react(ctx, requireComment(repo, intParam(req, 'comment_id')).reactions, req.body, user);
    return { status, body: renderReaction(ctx.urls(), reaction) };
  });

  repoOperation(
    server,
    ctx,
    { method: 'DELETE', template: `${commentReactions}/{reaction_id}`, docs: 'reactions/reactions#delete-an-issue-comment-reaction', needs: PERMS, level: 'write' },
    ({ req, repo }) => {
      const list = requireComment(repo, intParam(req, 'comment_id')).reactions;
      const i = list.findIndex((r) => r.id === intParam(req, 'reaction_id'));
      if (i < 0) notFound();
      list.splice(i, 1);
      return { status: 204 };
    },
  );

  const issueReactions = '/repos/{owner}/{repo}/issues/{issue_number}/reactions';
  repoOperation(server, ctx, { method: 'GET', template: issueReactions, docs: 'reactions/reactions#list-reactions-for-an-issue', needs: PERMS, level: 'read' }, ({ req, repo }) => {
    return listReactions(ctx, req, requireIssue(repo, intParam(req, 'issue_number')).reactions);
  });

  repoOperation(server, ctx, { method: 'POST', template: issueReactions, docs: 'reactions/reactions#create-reaction-for-an-issue', needs: PERMS, level: 'write' }, ({ req, repo, user }) => {
    const { status, reaction } = react(ctx, requireIssue(repo, intParam(req, 'issue_number')).reactions, req.body, user);
    return { status, body: renderReaction(ctx.urls(), reaction) };
  });
}
