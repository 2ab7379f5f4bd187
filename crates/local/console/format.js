// Formatting of times, durations and JSON for people.

const pad = (n, width = 2) => String(n).padStart(width, '0');

/** Local "YYYY-MM-DD HH:MM:SS" of an RFC 3339 string; '—' when absent. */
export function time(text) {
  if (!text) return '—';
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) return text;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} `
    + `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/**
 * "Tue 2026-12-01 08:00:00" of an RFC 3339 string read in the IANA zone
 * `zone` (a schedule's times, as its expression reads them); the local
 * time() when the browser does not know the zone; '—' when absent.
 */
export function zonedTime(text, zone) {
  if (!text) return '—';
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) return text;
  try {
    const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
      timeZone: zone, weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
    }).formatToParts(date).map((part) => [part.type, part.value]));
    return `${parts.weekday} ${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
  } catch {
    return time(text);
  }
}

/** Local "HH:MM:SS.mmm", for history rows. */
export function clock(text) {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) return text ?? '';
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** Milliseconds as "850 ms", "2.4 s", "3 min 2 s". */
export function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A fraction as a percentage; '—' when absent. */
export function percent(rate) {
  if (rate === null || rate === undefined) return '—';
  return `${(rate * 100).toFixed(rate === 1 ? 0 : 1)} %`;
}

/** A JSON value, or JSON text, pretty-printed. */
export function json(value) {
  if (typeof value === 'string') {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  return JSON.stringify(value, null, 2);
}

/**
 * The short form of a long id. Ids are UUIDv7, whose first characters are
 * the creation time (shared by ids made close together), so the short form
 * keeps the start and the random end: "01a22b24…77deca".
 */
export function shortId(id) {
  if (!id) return '—';
  const text = String(id);
  return text.length > 16 ? `${text.slice(0, 8)}…${text.slice(-6)}` : text;
}

/** The last part of an ARN-like name (after the last ':'). */
export function lastPart(text) {
  if (!text) return '';
  const parts = String(text).split(':');
  return parts[parts.length - 1];
}
