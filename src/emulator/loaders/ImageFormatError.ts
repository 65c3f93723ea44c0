// The typed error every loader throws for input it cannot load; the message names the file and the problem.

/** A boot image was refused. `file` is the name given to the loader, `problem` what is wrong with it. */
export class ImageFormatError extends Error {
  override readonly name = 'ImageFormatError';
  readonly code = 'Validation';

  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`Cannot load '${file}': ${problem}.`);
  }
}
