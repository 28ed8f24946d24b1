import { describe, expect, it } from 'vitest';
import { formatSseComment, formatSseFrame, formatSseRetry, SseParser, type SseMessage } from '../../common/sse.js';

function parse(chunks: string[]) {
  const messages: SseMessage[] = [];
  const retries: number[] = [];
  const comments: string[] = [];
  const parser = new SseParser({
    onMessage: (m) => messages.push(m),
    onRetry: (ms) => retries.push(ms),
    onComment: (c) => comments.push(c),
  });
  for (const chunk of chunks) parser.push(chunk);
  return { messages, retries, comments };
}

describe('SSE framing', () => {
  it('writes id, event and data lines and a blank line', () => {
    expect(formatSseFrame({ id: 5, event: 'new_message', data: '{"a":1}' })).toBe('id: 5\nevent: new_message\ndata: {"a":1}\n\n');
  });

  it('splits multi-line data into several data lines whatever the line ending', () => {
    expect(formatSseFrame({ data: 'a\nb\r\nc\rd' })).toBe('data: a\ndata: b\ndata: c\ndata: d\n\n');
  });

  it('writes retry and comment frames', () => {
    expect(formatSseRetry(3000)).toBe('retry: 3000\n\n');
    expect(formatSseComment('ping')).toBe(': ping\n\n');
  });

  it('round-trips what it writes', () => {
    const frame = formatSseFrame({ id: 12, event: 'x', data: 'one\ntwo' });
    const { messages } = parse([frame]);
    expect(messages).toEqual([{ event: 'x', data: 'one\ntwo', id: '12', lastEventId: '12' }]);
  });
});

describe('SSE parsing (WHATWG event stream rules)', () => {
  it('accepts LF, CR and CRLF line endings, also when CRLF is split across chunks', () => {
    const { messages } = parse(['data: a\r', '\ndata: b\rdata: c\n\r', '\n']);
    expect(messages.map((m) => m.data)).toEqual(['a\nb\nc']);
  });

  it('joins data lines, defaults the type to "message" and drops one space after the colon only', () => {
    const { messages } = parse(['data:no space\ndata:  two spaces\n\n']);
    expect(messages).toEqual([{ event: 'message', data: 'no space\n two spaces', id: undefined, lastEventId: '' }]);
  });

  it('reports comments and retry, and ignores a retry that is not all digits', () => {
    const { retries, comments, messages } = parse([': ping\n\nretry: 1500\nretry: 1.5\nretry: x\n\n']);
    expect(comments).toEqual(['ping']);
    expect(retries).toEqual([1500]);
    expect(messages).toEqual([]);
  });

  it('keeps the last event id across frames and ignores an id containing NUL', () => {
    const { messages } = parse(['id: 7\ndata: a\n\ndata: b\n\nid: 8\0\ndata: c\n\n']);
    expect(messages.map((m) => [m.id, m.lastEventId])).toEqual([
      ['7', '7'],
      [undefined, '7'],
      [undefined, '7'],
    ]);
  });

  it('does not dispatch a frame without data, and drops an unfinished frame', () => {
    const { messages } = parse(['event: x\n\n', 'data: unfinished']);
    expect(messages).toEqual([]);
  });

  it('handles a field name without a colon and unknown fields', () => {
    const { messages } = parse(['data\nfoo: bar\n\n']);
    expect(messages).toEqual([{ event: 'message', data: '', id: undefined, lastEventId: '' }]);
  });

  it('strips a leading byte order mark and parses frames split at any byte', () => {
    const text = '\uFEFFid: 1\nevent: e\ndata: {"x":"y"}\n\n';
    const { messages } = parse(text.split(''));
    expect(messages).toEqual([{ event: 'e', data: '{"x":"y"}', id: '1', lastEventId: '1' }]);
  });
});
