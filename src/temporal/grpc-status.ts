/**
 * The gRPC status inside an error from either Temporal SDK connection: grpc-js's
 * ServiceError (or its cause) carries a numeric code; Rust core's TransportError names the
 * code by tonic's description inside its message text.
 */
export const grpcStatus = { NOT_FOUND: 5, PERMISSION_DENIED: 7, UNIMPLEMENTED: 12, UNAVAILABLE: 14, UNAUTHENTICATED: 16 } as const;

/** Rust core (tonic) names gRPC codes by description in its TransportError text. */
const tonicCodeDescriptions: Record<string, number> = {
  'The request does not have valid authentication credentials': grpcStatus.UNAUTHENTICATED,
  'The caller does not have permission to execute the specified operation': grpcStatus.PERMISSION_DENIED,
  'Some requested entity was not found': grpcStatus.NOT_FOUND,
  'Operation is not implemented or not supported': grpcStatus.UNIMPLEMENTED,
  'The service is currently unavailable': grpcStatus.UNAVAILABLE,
};

export interface StatusError {
  code: number;
  message: string;
}

/** The gRPC status an SDK error carries, if it is one: grpc-js ServiceError, its cause, or Rust core's text. */
export function grpcStatusOf(err: unknown): StatusError | undefined {
  for (let current = err, depth = 0; current && depth < 4; current = (current as { cause?: unknown }).cause, depth++) {
    const { code, details, message } = current as { code?: unknown; details?: unknown; message?: unknown };
    if (typeof code === 'number' && code > 0) return { code, message: decodeGrpcMessage(String(details ?? message ?? '')) };
    if (typeof message === 'string') {
      const tonic = /code: '([^']+)', message: "((?:[^"\\]|\\.)*)"/.exec(message);
      const mapped = tonic ? tonicCodeDescriptions[tonic[1]!] : undefined;
      if (mapped !== undefined) return { code: mapped, message: tonic![2]!.replace(/\\"/g, '"') };
    }
  }
  return undefined;
}

/** grpc-js leaves `%3A`-style escapes in grpc-message undecoded. */
function decodeGrpcMessage(message: string): string {
  const text = message.replace(/^\d+ [A-Z_]+: /, '');
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
