/** An error a client caused, with the HTTP status it maps to and details a person can act on. */
export class AppError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (message: string) => new AppError(404, message);
export const conflict = (message: string, details?: unknown) => new AppError(409, message, details);
export const invalid = (message: string, details?: unknown) => new AppError(422, message, details);
export const badRequest = (message: string, details?: unknown) => new AppError(400, message, details);
