import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Appointment } from '../../common/api.js';
import { FakeDesktopBridge, json, ME, PATEL } from './support/fake-desktop-bridge.js';
import { renderApp } from './support/render-app.js';

afterEach(cleanup);

/**
 * jsdom lays nothing out and has no modal dialogs: stand-ins for scrolling into view and for
 * <dialog>'s showModal/close (open flag and close event, which is all the page relies on).
 */
beforeAll(() => {
  Element.prototype.scrollIntoView = () => undefined;
  HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
    this.open = true;
  };
  HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
    this.open = false;
    this.dispatchEvent(new Event('close'));
  };
});

function appointment(id: number, fields: Partial<Appointment> = {}): Appointment {
  return {
    id,
    time: new Date(Date.now() + 3_600_000).toISOString(),
    content: `appointment ${id}`,
    remindUserIds: [ME.id],
    reminderLeadMinutes: 15,
    remindAt: new Date(Date.now() + 2_700_000).toISOString(),
    createdBy: ME.id,
    reminderSent: false,
    ...fields,
  };
}

describe('the appointments page', () => {
  it('opens the appointment a reminder links to even once it has started, and says who created it', async () => {
    const started = appointment(9, {
      content: 'Bloods — Mr Brown',
      time: new Date(Date.now() - 5 * 60_000).toISOString(),
      createdBy: PATEL.id,
      reminderSent: true,
    });
    const bridge = new FakeDesktopBridge()
      .on('GET /api/appointments', () => json({ appointments: [appointment(10)] }))
      .on('GET /api/appointments/9', () => json({ appointment: started }));
    renderApp(bridge, '#/appointments/9');
    const opened = await screen.findByRole('list', { name: 'Opened appointment' });
    expect(within(opened).getByText('Bloods — Mr Brown')).toBeTruthy();
    expect(within(opened).getByText('Started or past')).toBeTruthy();
    expect(within(opened).getByText(`Created by ${PATEL.displayName}`)).toBeTruthy();
    // Only its creator may change it.
    expect(within(opened).queryByRole('button', { name: 'Edit or cancel' })).toBeNull();
  });

  it('lets the creator cancel an appointment, which leaves the list', async () => {
    const user = userEvent.setup();
    const bridge = new FakeDesktopBridge()
      .on('GET /api/appointments', () =>
        json({ appointments: [appointment(10, { content: 'Physio' })] }),
      )
      .on('DELETE /api/appointments/10', () =>
        json({ appointment: appointment(10, { cancelledAt: new Date().toISOString() }) }),
      );
    renderApp(bridge, '#/appointments');
    const card = (await screen.findByText('Physio')).closest('li') as HTMLElement;
    expect(within(card).getByText('Created by you')).toBeTruthy();
    await user.click(within(card).getByRole('button', { name: 'Edit or cancel' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit appointment' });
    await user.click(within(dialog).getByRole('button', { name: 'Cancel appointment' }));
    await user.click(within(dialog).getByRole('button', { name: 'Yes, cancel it' }));
    await waitFor(() => expect(screen.queryByText('Physio')).toBeNull());
    expect(bridge.requestsTo('DELETE /api/appointments/10')).toHaveLength(1);
  });
});
