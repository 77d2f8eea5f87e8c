/**
 * Text as it may be stored: without control and bidirectional-override
 * characters. A NUL or ESC in a transcript breaks terminals, log viewers and
 * CSV exports; U+202E and its kin reorder what an agent sees ("txt.exe"
 * shown as "exe.txt"), a classic way to make a message lie about itself.
 *
 * Kept: tab and newline (customers write paragraphs), and every printable
 * character, zero-width joiners included (emoji sequences need them).
 * Carriage returns become newlines. Pure, workflow-safe.
 */

// C0 controls except \t and \n, DEL and the C1 block, and the bidi embeddings, overrides, isolates and marks.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

export function stripControlCharacters(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(UNSAFE, '');
}
