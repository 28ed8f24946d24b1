/**
 * Linux notification daemons that advertise `body-markup` (GNOME, KDE, dunst, mako…) read the
 * body as a small HTML-like markup, and Electron hands the text to libnotify unchanged. A
 * message "<b>x</b> & y" would render bold or be dropped as invalid markup, and a crafted one
 * could add links or images. Escaping the three markup characters shows the text verbatim.
 * The title (libnotify's "summary") is plain text by specification, so it is left alone.
 */
export function escapeLibnotifyMarkup(text: string): string {
  return text.replace(/[&<>]/g, (character) => MARKUP_ENTITIES[character] ?? character);
}

const MARKUP_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
