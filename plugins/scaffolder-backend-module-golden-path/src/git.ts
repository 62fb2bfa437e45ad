import { execFile } from 'node:child_process';

/** Who a commit is by: the person who ran the template. */
export interface GitAuthor {
  name: string;
  email: string;
}

export const PORTAL_AUTHOR: GitAuthor = {
  name: 'Developer Portal',
  email: 'portal@acme.example',
};

/**
 * Runs git in a folder and returns what it printed. Never prompts, never
 * signs, and fails with git's own message.
 */
export function git(
  cwd: string,
  args: string[],
  author: GitAuthor = PORTAL_AUTHOR,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [
        '-c',
        'init.defaultBranch=main',
        '-c',
        'commit.gpgsign=false',
        '-c',
        'core.hooksPath=/dev/null',
        ...args,
      ],
      {
        cwd,
        maxBuffer: 16 * 1024 * 1024,
        env: {
          ...process.env,
          GIT_TERMINAL_PROMPT: '0',
          GIT_AUTHOR_NAME: author.name,
          GIT_AUTHOR_EMAIL: author.email,
          GIT_COMMITTER_NAME: author.name,
          GIT_COMMITTER_EMAIL: author.email,
        },
      },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new Error(
              `git ${args[0]} failed: ${stderr.trim() || error.message}`,
            ),
          );
        } else {
          resolve(stdout.trim());
        }
      },
    );
  });
}

/** The author of a template run, from the user entity the scaffolder passes. */
export function authorOf(user?: {
  entity?: { metadata?: { name?: string }; spec?: unknown };
}): GitAuthor {
  const profile = (user?.entity?.spec as any)?.profile ?? {};
  const name =
    typeof profile.displayName === 'string'
      ? profile.displayName
      : user?.entity?.metadata?.name;
  const email = typeof profile.email === 'string' ? profile.email : undefined;
  return name && email ? { name, email } : PORTAL_AUTHOR;
}
