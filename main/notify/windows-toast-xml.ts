import type { NativeNotification } from './native-notification.js';
import { linkForTarget } from './notification-link.js';

/**
 * The Windows toast for a pop-up, activated by protocol: a click on the banner or later in the
 * Action Center launches `clinicpulse://…` (main.ts receives it in `second-instance`), so it
 * works after Electron's own click callback is gone. A persistent pop-up (an urgent message, an
 * appointment reminder) is a `reminder` toast, which Windows keeps on screen until it is acted
 * on; that scenario needs a button, so it gets Open and Dismiss, and Acknowledge first when it
 * asks for one (`acknowledgeLink`: the signed `clinicpulse://acknowledge/…` of its alert).
 */
export function windowsToastXml(
  notification: NativeNotification,
  acknowledgeLink: string | null = null,
): string {
  const link = escapeXml(linkForTarget(notification.target));
  const scenario = notification.persistent ? ' scenario="reminder"' : '';
  const acknowledge =
    acknowledgeLink && notification.acknowledgeAlertId !== undefined
      ? `<action content="Acknowledge" activationType="protocol" arguments="${escapeXml(acknowledgeLink)}"/>`
      : '';
  const actions = notification.persistent
    ? `<actions>${acknowledge}<action content="Open" activationType="protocol" arguments="${link}"/><action content="Dismiss" activationType="system" arguments="dismiss"/></actions>`
    : '';
  const audio = notification.silent ? '<audio silent="true"/>' : '';
  return (
    `<toast launch="${link}" activationType="protocol"${scenario}>` +
    `<visual><binding template="ToastGeneric"><text>${escapeXml(notification.title)}</text><text>${escapeXml(notification.body)}</text></binding></visual>` +
    `${actions}${audio}</toast>`
  );
}

const XML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => XML_ENTITIES[character] ?? character);
}
