/** The gateway's error envelope, `{"error": {"code", "message", "details", "trace_id", …}}`, as an exception. */
export class LijiaoqiaoError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;
  readonly traceId: string | null;
  readonly retryable: boolean;
  readonly type: string | null;
  readonly docUrl: string | null;
  readonly body: unknown;

  constructor(init: {
    status: number; code: string; message: string; details?: Record<string, unknown>; traceId?: string | null;
    retryable?: boolean; type?: string | null; docUrl?: string | null; body?: unknown;
  }) {
    super(init.message);
    this.name = 'LijiaoqiaoError';
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? {};
    this.traceId = init.traceId ?? null;
    this.retryable = init.retryable ?? false;
    this.type = init.type ?? null;
    this.docUrl = init.docUrl ?? null;
    this.body = init.body;
  }

  static fromResponse(status: number, text: string, requestId: string | null): LijiaoqiaoError {
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const err = (body as { error?: unknown } | undefined)?.error;
    if (err && typeof err === 'object') {
      const e = err as Record<string, unknown>;
      const details = e.details && typeof e.details === 'object' ? e.details as Record<string, unknown> : {};
      return new LijiaoqiaoError({
        status, code: String(e.code ?? `HTTP_${status}`), message: String(e.message ?? ''), details,
        traceId: (e.trace_id as string | undefined) ?? requestId, retryable: Boolean(e.retryable),
        type: (e.type as string | undefined) ?? null, docUrl: (e.doc_url as string | undefined) ?? null, body,
      });
    }
    return new LijiaoqiaoError({
      status, code: `HTTP_${status}`, message: text.slice(0, 200) || `HTTP ${status}`, traceId: requestId,
      retryable: status === 429 || status >= 500, body,
    });
  }
}
