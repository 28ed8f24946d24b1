import type { NativeNotification } from './native-notification.js';
import { linkForTarget } from './notification-link.js';

/**
 * The Windows toast for a pop-up, activated by protocol: a click on the banner or later in the
 * Action Center launches `clinicpulse://…` (main.ts receives it in `second-instance`), so it
 * works after Electron's own click callback is gone. A persistent pop-up (an appointment
 * reminder) is a `reminder` toast, which Windows keeps on screen until it is acted on; that
 * scenario needs a button, so it gets Open and Dismiss.
 */
export function windowsToastXml(notification: NativeNotification): string {
  const link = escapeXml(linkForTarget(notification.target));
  const scenario = notification.persistent ? ' scenario="reminder"' : '';
  const actions = notification.persistent
    ? `<actions><action content="Open" activationType="protocol" arguments="${link}"/><action content="Dismiss" activationType="system" arguments="dismiss"/></actions>`
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
