// Times as people read them, in the browser's locale and time zone.

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayMonth = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function sameDay(a, b) {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

export function parse(iso) {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "14:03" today, "3 Mar" before. */
export function shortTime(iso) {
  const date = parse(iso);
  if (!date) return '';
  return sameDay(date, new Date()) ? time.format(date) : dayMonth.format(date);
}

export function clockTime(iso) {
  const date = parse(iso);
  return date ? time.format(date) : '';
}

export function fullTime(iso) {
  const date = parse(iso);
  return date ? full.format(date) : '';
}

/** "online", "last seen just now", "last seen today at 14:03", "last seen yesterday at 09:12", "last seen 3 Mar". */
export function presenceText(user) {
  if (!user) return '';
  if (user.online) return 'online';
  const seen = parse(user.lastSeen);
  if (!seen) return 'offline';
  const now = new Date();
  if (now - seen < 60_000) return 'last seen just now';
  if (sameDay(seen, now)) return `last seen today at ${time.format(seen)}`;
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (sameDay(seen, yesterday)) return `last seen yesterday at ${time.format(seen)}`;
  return `last seen ${dayMonth.format(seen)}`;
}

/** "Bob", "Bob and Carol", "Bob, Carol and 2 others". */
export function nameList(names) {
  if (names.length <= 1) return names.join('');
  if (names.length === 2) return `${names[0]} and ${names[1]}`;
  if (names.length === 3) return `${names[0]}, ${names[1]} and ${names[2]}`;
  return `${names[0]}, ${names[1]} and ${names.length - 2} others`;
}
