/** Where the CLI writes; tests pass their own. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stderr is a terminal (progress bars redraw in place only then). */
  isTTY?: boolean;
  /** Milliseconds, for timings (default performance.now). */
  now?(): number;
}
