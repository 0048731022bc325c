import { z } from 'zod';
import type { CollectOutput } from '../contract.js';

/**
 * OpenTelemetry spans as trace backends return them in JSON (Jaeger's query API v3, Grafana Tempo's
 * trace-by-id API), and their one normalisation into the agent timeline, so every trace source
 * reads GenAI spans the same way. Spans keep every attribute as returned in the raw files; only the
 * timeline reads these fields. OpenTelemetry GenAI semantic conventions
 * (https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/) make the timeline:
 * `gen_ai.operation.name = execute_tool` with `gen_ai.tool.name` (+ `gen_ai.tool.call.arguments`) is a
 * tool call; `chat` / `text_completion` / `generate_content` with `gen_ai.request.model` a model call.
 */
const anyValue = z.looseObject({
  stringValue: z.string().optional(),
  intValue: z.union([z.string(), z.number()]).optional(),
  boolValue: z.boolean().optional(),
  doubleValue: z.number().optional(),
});
const attribute = z.looseObject({ key: z.string(), value: anyValue.optional() });

export const otlpSpan = z.looseObject({
  traceId: z.string(),
  spanId: z.string(),
  name: z.string().default(''),
  startTimeUnixNano: z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]),
  attributes: z.array(attribute).default([]),
});
export type OtlpSpan = z.output<typeof otlpSpan>;

const spansOf = z.looseObject({ spans: z.array(otlpSpan).default([]) });

/**
 * One resource's spans. OTLP 0.15+ groups them under `scopeSpans`; older exporters (and traces
 * Tempo stored from them) under `instrumentationLibrarySpans`: both are read.
 */
export const otlpResourceSpans = z.looseObject({
  scopeSpans: z.array(spansOf).default([]),
  instrumentationLibrarySpans: z.array(spansOf).default([]),
});
export type OtlpResourceSpans = z.output<typeof otlpResourceSpans>;

export function* spansIn(resourceSpans: readonly OtlpResourceSpans[]): Generator<OtlpSpan> {
  for (const rs of resourceSpans)
    for (const group of [...rs.scopeSpans, ...rs.instrumentationLibrarySpans]) yield* group.spans;
}

/**
 * A trace or span id as hex. OTLP/JSON writes ids as hex (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding);
 * backends that use the plain proto3 JSON mapping (Tempo's trace APIs) write the same bytes base64.
 * Hex is what the other sources (Langfuse, LiteLLM metadata, logs) correlate on.
 */
export function hexId(id: string): string {
  if (/^[0-9a-f]+$/i.test(id) && (id.length === 16 || id.length === 32)) return id.toLowerCase();
  // base64 of 8 or 16 bytes always ends in `=` / `==`, which hex never holds: no id is read both ways
  if (/^(?:[A-Za-z0-9+/]{11}=|[A-Za-z0-9+/]{22}==)$/.test(id))
    return Buffer.from(id, 'base64').toString('hex');
  return id;
}

function attrs(list: OtlpSpan['attributes']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of list) {
    const v = a.value;
    const value = v?.stringValue ?? v?.intValue ?? v?.boolValue ?? v?.doubleValue;
    if (value !== undefined) out[a.key] = String(value);
  }
  return out;
}

const MODEL_OPERATIONS = new Set(['chat', 'text_completion', 'generate_content']);

/** Emits the span as a tool or model call when its GenAI attributes say it is one; other spans stay in the raw file only. */
export function emitGenAiSpan(s: OtlpSpan, collector: string, file: string, out: CollectOutput): boolean {
  const a = attrs(s.attributes);
  const operation = a['gen_ai.operation.name'];
  const isTool = operation === 'execute_tool' || a['gen_ai.tool.name'] !== undefined;
  const isModel = operation !== undefined && MODEL_OPERATIONS.has(operation);
  if (!isTool && !isModel) return false;
  const at = new Date(Number(BigInt(String(s.startTimeUnixNano)) / 1_000_000n)).toISOString();
  const correlation: Record<string, string> = { trace_id: hexId(s.traceId), span_id: hexId(s.spanId) };
  if (a['gen_ai.tool.call.id']) correlation.tool_call_id = a['gen_ai.tool.call.id'];
  if (a['gen_ai.conversation.id']) correlation.conversation_id = a['gen_ai.conversation.id'];
  const input = isTool ? a['gen_ai.tool.call.arguments'] : a['gen_ai.input.messages'];
  const output = isTool ? a['gen_ai.tool.call.result'] : a['gen_ai.output.messages'];
  out.event({
    at,
    kind: isTool ? 'tool_call' : 'model_call',
    name: (isTool ? a['gen_ai.tool.name'] : a['gen_ai.request.model']) ?? s.name,
    correlation,
    ...(input ? { input } : {}),
    ...(output ? { output } : {}),
    source: { collector, file },
  });
  return true;
}
