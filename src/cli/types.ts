/** The flags every command takes. */
export interface GlobalFlags {
  file?: string | undefined;
  cwd?: string | undefined;
  project?: string | undefined;
}
