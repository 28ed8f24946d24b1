import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BridgeApiResponse } from '../../common/desktop-bridge.js';
import { FakeDesktopBridge, json, ME } from './support/fake-desktop-bridge.js';
import { conversationRead, messageSent, newMessage } from './support/frames.js';
import { conversation, giveMessageListASize, message, renderApp } from './support/render-app.js';

let undoLayout: () => void;
beforeAll(() => {
  undoLayout = giveMessageListASize();
});
afterAll(() => undoLayout());
afterEach(() => {
  cleanup();
  sessionStorage.clear();
});

function listItem(conversationId: number): HTMLElement {
  const item = screen
    .getAllByTestId('conversation-item')
    .find((element) => element.dataset.conversationId === String(conversationId));
  if (!item) throw new Error(`conversation ${conversationId} is not in the list`);
  return item;
}

function unreadBadge(conversationId: number): string | null {
  return within(listItem(conversationId)).queryByTestId('unread-count')?.textContent ?? null;
}

function listOrder(): (string | undefined)[] {
  return screen.getAllByTestId('conversation-item').map((item) => item.dataset.conversationId);
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

let bridge: FakeDesktopBridge;

beforeEach(() => {
  bridge = new FakeDesktopBridge();
  const history = [
    message(1, { text: 'Morning, can you see bed 4?' }),
    message(2, { senderId: ME.id, senderName: ME.displayName, text: 'On my way' }),
  ];
  bridge
    .on('GET /api/conversations', () =>
      json({
        conversations: [
          conversation(7, { lastMessage: history[1] ?? null }),
          conversation(8, {
            title: 'Night shift',
            lastMessage: message(5, { conversationId: 8 }),
            unreadCount: 1,
          }),
        ],
      }),
    )
    .on('GET /api/conversations/7', () => json({ conversation: conversation(7) }))
    .on('GET /api/conversations/7/messages?limit=50', () =>
      json({ messages: history, hasMore: false }),
    )
    .on('POST /api/conversations/7/read', () => json({ conversation: conversation(7) }));
});

describe('the messages page', () => {
  it('queues a send the server did not answer and sends it again, same clientMessageId, when the connection is back', async () => {
    const user = userEvent.setup();
    const attempts: { body: unknown; answer: ReturnType<typeof deferred<BridgeApiResponse>> }[] =
      [];
    bridge.on('POST /api/conversations/7/messages', (request) => {
      const answer = deferred<BridgeApiResponse>();
      attempts.push({ body: request.body, answer });
      return answer.promise;
    });
    renderApp(bridge, '#/conversations/7');
    const input = await screen.findByLabelText(/Message to Dr. Raj Patel/);

    await user.type(input, 'Bed 4 needs a drip{Enter}');
    const thread = screen.getByTestId('thread');
    expect(within(thread).getByText('Bed 4 needs a drip')).toBeTruthy();
    expect(within(thread).getByText('Sending…')).toBeTruthy();

    act(() => bridge.setConnection({ status: 'reconnecting', nextRetryAt: null, detail: null }));
    await act(async () =>
      attempts[0]?.answer.resolve({
        status: 503,
        body: { error: { code: 'unavailable', message: 'Try again shortly.' } },
      }),
    );
    expect(await within(thread).findByText('Queued')).toBeTruthy();
    expect(within(thread).getByText(/sent as soon as it answers/)).toBeTruthy();
    expect(within(thread).queryByRole('button', { name: 'Retry' })).toBeNull();

    // Sent at once, not at the next retry of a timer.
    expect(attempts).toHaveLength(1);
    await act(async () =>
      bridge.setConnection({ status: 'connected', nextRetryAt: null, detail: null }),
    );
    expect(attempts).toHaveLength(2);
    expect(within(thread).getByText('Sending…')).toBeTruthy();
    const [first, second] = attempts.map(
      (attempt) => attempt.body as { text: string; clientMessageId: string },
    );
    expect(second).toEqual(first);
    expect(first?.clientMessageId).toMatch(/^[0-9a-f]{32}$/);

    await act(async () =>
      attempts[1]?.answer.resolve(
        json(
          {
            message: message(3, {
              senderId: ME.id,
              senderName: ME.displayName,
              text: 'Bed 4 needs a drip',
              clientMessageId: first?.clientMessageId ?? null,
            }),
          },
          201,
        ),
      ),
    );
    await waitFor(() => expect(within(thread).queryByText('Sending…')).toBeNull());
    const sent = thread.querySelector('[data-message-id="3"]');
    expect(sent?.textContent).toContain('Sent');
    expect(within(thread).getAllByText('Bed 4 needs a drip')).toHaveLength(1);
  });

  it('shows a send the server refused as not sent, with Retry and Delete', async () => {
    const user = userEvent.setup();
    let answer: BridgeApiResponse = {
      status: 400,
      body: { error: { code: 'validation_failed', message: 'text: too long' } },
    };
    bridge.on('POST /api/conversations/7/messages', () => answer);
    renderApp(bridge, '#/conversations/7');
    const input = await screen.findByLabelText(/Message to Dr. Raj Patel/);
    await user.type(input, 'Refused{Enter}');
    const thread = screen.getByTestId('thread');
    expect(await within(thread).findByText('Not sent')).toBeTruthy();
    expect(within(thread).getByText('text: too long')).toBeTruthy();

    answer = json({ message: message(3, { senderId: ME.id, text: 'Refused' }) }, 201);
    await user.click(within(thread).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(within(thread).queryByText('Not sent')).toBeNull());
    expect(bridge.requestsTo('POST /api/conversations/7/messages')).toHaveLength(2);

    answer = { status: 400, body: { error: { code: 'validation_failed', message: 'no' } } };
    await user.type(input, 'Second{Enter}');
    await user.click(await within(thread).findByRole('button', { name: 'Delete' }));
    expect(within(thread).queryByText('Second')).toBeNull();
  });

  it('shows a message from an event in the open conversation once, and counts it unread elsewhere', async () => {
    renderApp(bridge, '#/conversations/7');
    const thread = await screen.findByTestId('thread');
    await within(thread).findByText('On my way');

    act(() => {
      bridge.emit(newMessage(101, { conversation_id: '7', message_id: '3', text: 'Also bed 5' }));
      bridge.emit(newMessage(101, { conversation_id: '7', message_id: '3', text: 'Also bed 5' }));
      bridge.emit(
        newMessage(102, { conversation_id: '8', message_id: '6', text: 'Handover at 7' }),
      );
    });

    expect(within(thread).getAllByText('Also bed 5')).toHaveLength(1);
    const nightShift = screen
      .getAllByTestId('conversation-item')
      .find((item) => item.dataset.conversationId === '8');
    expect(nightShift?.textContent).toContain('Dr. Raj Patel: Handover at 7');
    expect(within(nightShift as HTMLElement).getByTestId('unread-count').textContent).toBe('2');
    // The open conversation is read up to the new message at once.
    await waitFor(() =>
      expect(bridge.requestsTo('POST /api/conversations/7/read').at(-1)?.body).toEqual({
        lastMessageId: 3,
      }),
    );
  });

  it('clears an unread count read on another desk, and asks the server when it was read only partly', async () => {
    renderApp(bridge, '#/conversations');
    await screen.findAllByTestId('conversation-item');
    act(() => bridge.emit(newMessage(110, { conversation_id: '8', message_id: '6' })));
    expect(unreadBadge(8)).toBe('2');
    const loads = bridge.requestsTo('GET /api/conversations').length;

    // Read up to 5 of 6: the list cannot tell how many of the rest are unread; the server can.
    bridge.on('GET /api/conversations', () =>
      json({
        conversations: [
          conversation(7, { lastMessage: message(2, { senderId: ME.id }) }),
          conversation(8, {
            title: 'Night shift',
            lastMessage: message(6, { conversationId: 8 }),
            unreadCount: 1,
          }),
        ],
      }),
    );
    act(() => bridge.emit(conversationRead(111, '8', '5')));
    await waitFor(() => expect(bridge.requestsTo('GET /api/conversations').length).toBe(loads + 1));
    await waitFor(() => expect(unreadBadge(8)).toBe('1'));

    act(() => bridge.emit(conversationRead(112, '8', '6')));
    expect(unreadBadge(8)).toBeNull();
    expect(bridge.requestsTo('GET /api/conversations').length).toBe(loads + 1);
  });

  it('keeps the newest list when an older reload answers last', async () => {
    renderApp(bridge, '#/conversations');
    await screen.findAllByTestId('conversation-item');
    const answers: ReturnType<typeof deferred<BridgeApiResponse>>[] = [];
    bridge.on('GET /api/conversations', () => {
      const answer = deferred<BridgeApiResponse>();
      answers.push(answer);
      return answer.promise;
    });
    const listWith = (title: string, unreadCount: number) =>
      json({
        conversations: [
          conversation(8, { title, lastMessage: message(5, { conversationId: 8 }), unreadCount }),
        ],
      });

    // Two partial reads (below the last message): each asks the server for the list.
    act(() => bridge.emit(conversationRead(120, '8', '3')));
    act(() => bridge.emit(conversationRead(121, '8', '4')));
    await waitFor(() => expect(answers).toHaveLength(2));
    await act(async () => answers[1]?.resolve(listWith('Night shift, newer', 0)));
    await act(async () => answers[0]?.resolve(listWith('Night shift, older', 1)));

    expect(listItem(8).textContent).toContain('Night shift, newer');
    expect(unreadBadge(8)).toBeNull();
  });

  it('moves a conversation up with the message the user sent on another desk, never counting it unread', async () => {
    renderApp(bridge, '#/conversations');
    await screen.findAllByTestId('conversation-item');
    expect(listOrder()).toEqual(['8', '7']);
    const loads = bridge.requestsTo('GET /api/conversations').length;

    act(() =>
      bridge.emit(
        messageSent(113, {
          conversation_id: '7',
          message_id: '9',
          text: 'Ward round at 9',
          timestamp: '2025-01-20T11:00:00Z',
        }),
      ),
    );
    expect(listOrder()).toEqual(['7', '8']);
    expect(listItem(7).textContent).toContain('You: Ward round at 9');
    expect(unreadBadge(7)).toBeNull();

    // Sending reads the conversation up to the message sent, on the server too.
    act(() =>
      bridge.emit(
        messageSent(114, {
          conversation_id: '8',
          message_id: '10',
          text: 'Covering bed 2',
          timestamp: '2025-01-20T11:05:00Z',
        }),
      ),
    );
    expect(listOrder()).toEqual(['8', '7']);
    expect(listItem(8).textContent).toContain('You: Covering bed 2');
    expect(unreadBadge(8)).toBeNull();
    expect(bridge.requestsTo('GET /api/conversations').length).toBe(loads);

    // A conversation the list does not hold yet (started on the other desk) is fetched.
    act(() => bridge.emit(messageSent(115, { conversation_id: '42', message_id: '11' })));
    await waitFor(() => expect(bridge.requestsTo('GET /api/conversations').length).toBe(loads + 1));
  });

  it('shows a message the user sent on another desk once in the open thread, unannounced', async () => {
    renderApp(bridge, '#/conversations/7');
    const thread = await screen.findByTestId('thread');
    await within(thread).findByText('On my way');

    act(() => {
      bridge.emit(messageSent(120, { message_id: '3', text: 'Also bed 5' }));
      bridge.emit(messageSent(120, { message_id: '3', text: 'Also bed 5' }));
      // The same message again under another event id, as a second route could bring it.
      bridge.emit(messageSent(121, { message_id: '3', text: 'Also bed 5' }));
      bridge.emit(messageSent(122, { conversation_id: '8', message_id: '6', text: 'Handover' }));
    });

    expect(within(thread).getAllByText('Also bed 5')).toHaveLength(1);
    const shown = thread.querySelector('[data-message-id="3"]');
    expect(shown?.textContent).toContain('You');
    expect(shown?.textContent).toContain('Sent');
    expect(within(thread).queryByText('Handover')).toBeNull();
    expect(thread.querySelector('[aria-live="polite"]')?.textContent).toBe('');
    expect(listItem(8).textContent).toContain('You: Handover');
    expect(unreadBadge(8)).toBeNull();
  });

  it('confirms a message still sending when its message_sent event comes before the answer', async () => {
    const user = userEvent.setup();
    const answers: {
      body: { text: string; clientMessageId: string };
      answer: ReturnType<typeof deferred<BridgeApiResponse>>;
    }[] = [];
    bridge.on('POST /api/conversations/7/messages', (request) => {
      const answer = deferred<BridgeApiResponse>();
      answers.push({ body: request.body as { text: string; clientMessageId: string }, answer });
      return answer.promise;
    });
    renderApp(bridge, '#/conversations/7');
    const input = await screen.findByLabelText(/Message to Dr. Raj Patel/);
    await user.type(input, 'Bed 4 needs a drip{Enter}');
    const thread = screen.getByTestId('thread');
    const clientMessageId = answers[0]?.body.clientMessageId;
    expect(clientMessageId).toBeDefined();

    // The same words sent from another desk are another message: this one is still on its way.
    act(() =>
      bridge.emit(
        messageSent(130, {
          message_id: '3',
          text: 'Bed 4 needs a drip',
          client_message_id: 'feedfacefeedface',
        }),
      ),
    );
    expect(within(thread).getByText('Sending…')).toBeTruthy();

    act(() =>
      bridge.emit(
        messageSent(131, {
          message_id: '4',
          text: 'Bed 4 needs a drip',
          client_message_id: clientMessageId,
        }),
      ),
    );
    expect(within(thread).queryByText('Sending…')).toBeNull();
    expect(thread.querySelector('[data-message-id="4"]')?.textContent).toContain('Sent');
    expect(within(thread).getAllByText('Bed 4 needs a drip')).toHaveLength(2);

    const sent = message(4, {
      senderId: ME.id,
      senderName: ME.displayName,
      text: 'Bed 4 needs a drip',
      clientMessageId: clientMessageId ?? null,
    });
    await act(async () => answers[0]?.answer.resolve(json({ message: sent }, 201)));
    expect(within(thread).getAllByText('Bed 4 needs a drip')).toHaveLength(2);
    expect(within(thread).queryByText('Sending…')).toBeNull();
    expect(within(thread).queryByRole('button', { name: 'Retry' })).toBeNull();
  });

  it('announces a new message from a colleague to screen readers', async () => {
    renderApp(bridge, '#/conversations/7');
    await screen.findByText('On my way');
    act(() =>
      bridge.emit(newMessage(103, { conversation_id: '7', message_id: '4', text: 'Thanks!' })),
    );
    expect(screen.getByText('New message from Dr. Raj Patel: Thanks!')).toBeTruthy();
  });

  it('renders message text as text, never as markup', async () => {
    renderApp(bridge, '#/conversations/7');
    const thread = await screen.findByTestId('thread');
    await within(thread).findByText('On my way');
    act(() =>
      bridge.emit(
        newMessage(104, {
          conversation_id: '7',
          message_id: '9',
          text: '<img src=x onerror=alert(1)>',
        }),
      ),
    );
    expect(within(thread).getByText('<img src=x onerror=alert(1)>')).toBeTruthy();
    expect(document.querySelector('img')).toBeNull();
  });

  it('reloads the conversation list on resync', async () => {
    renderApp(bridge, '#/conversations');
    await screen.findAllByTestId('conversation-item');
    const before = bridge.requestsTo('GET /api/conversations').length;
    act(() => bridge.emit({ type: 'resync', reason: 'history_expired', lastEventId: 50 }));
    await waitFor(() =>
      expect(bridge.requestsTo('GET /api/conversations').length).toBe(before + 1),
    );
  });

  it('tells the person when a conversation is not theirs', async () => {
    bridge
      .on('GET /api/conversations/99', () =>
        json({ error: { code: 'not_found', message: 'no conversation 99' } }, 404),
      )
      .on('GET /api/conversations/99/messages?limit=50', () =>
        json({ error: { code: 'not_found', message: 'no conversation 99' } }, 404),
      );
    renderApp(bridge, '#/conversations/99');
    expect((await screen.findByRole('alert')).textContent).toBe(
      'This conversation does not exist, or you are not part of it.',
    );
    expect(screen.queryByLabelText(/Message to/)).toBeNull();
  });
});
