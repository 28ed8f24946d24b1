import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Composer } from '../../renderer/src/messages/Composer.js';

afterEach(cleanup);

const ROUTINE = { priority: 'routine' };

describe('the message composer', () => {
  it('sends with Enter and starts a new line with Shift+Enter', async () => {
    const user = userEvent.setup();
    const onSend = vi.fn();
    render(<Composer onSend={onSend} label="Message to Dr. Patel" />);
    const input = screen.getByLabelText('Message to Dr. Patel');

    await user.type(input, 'First line{Shift>}{Enter}{/Shift}second line');
    expect(onSend).not.toHaveBeenCalled();
    expect(input).toHaveProperty('value', 'First line\nsecond line');

    await user.keyboard('{Enter}');
    expect(onSend).toHaveBeenCalledExactlyOnceWith('First line\nsecond line', ROUTINE);
    expect(input).toHaveProperty('value', '');
  });

  it('does not send blank text', async () => {
    const user = userEvent.setup();
    const onSend = vi.fn();
    render(<Composer onSend={onSend} label="Message" />);
    await user.type(screen.getByLabelText('Message'), '   {Enter}');
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Send' })).toHaveProperty('disabled', true);
  });

  it('sends with the Send button too', async () => {
    const user = userEvent.setup();
    const onSend = vi.fn();
    render(<Composer onSend={onSend} label="Message" />);
    await user.type(screen.getByLabelText('Message'), 'Hello');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(onSend).toHaveBeenCalledExactlyOnceWith('Hello', ROUTINE);
  });

  it('sends one message as urgent when Urgent is pressed, then falls back to routine', async () => {
    const user = userEvent.setup();
    const onSend = vi.fn();
    render(<Composer onSend={onSend} label="Message" />);
    const urgent = screen.getByRole('button', { name: 'Urgent' });
    expect(urgent.getAttribute('aria-pressed')).toBe('false');

    await user.click(urgent);
    expect(urgent.getAttribute('aria-pressed')).toBe('true');
    await user.type(screen.getByLabelText('Message'), 'Chest pain in room 3');
    await user.click(screen.getByRole('button', { name: 'Send urgent' }));
    expect(onSend).toHaveBeenLastCalledWith('Chest pain in room 3', { priority: 'urgent' });

    expect(urgent.getAttribute('aria-pressed')).toBe('false');
    await user.type(screen.getByLabelText('Message'), 'Thanks{Enter}');
    expect(onSend).toHaveBeenLastCalledWith('Thanks', ROUTINE);
  });
});
