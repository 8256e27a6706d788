/**
 * The two kinds of failure a command can end with. The CLI's single error handler maps them to exit
 * codes: a UsageError (bad arguments, unknown bot, invalid template) exits 2, everything else exits 1.
 * Core modules throw these; only the CLI decides how they are printed.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode = 2;
}

export class OperationalError extends Error {
  override readonly name = 'OperationalError';
  readonly exitCode = 1;
}

/** X refused the app's credentials: exit 3, so a supervisor (systemd RestartPreventExitStatus=3) stops retrying. */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  readonly exitCode = 3;
}

/** Read from the error itself, not by class: the bundled CLI and lazily loaded modules may hold two copies of it. */
export function exitCodeOf(err: unknown): number {
  const code = (err as { exitCode?: unknown } | null)?.exitCode;
  return code === 2 || code === 3 ? code : 1;
}
