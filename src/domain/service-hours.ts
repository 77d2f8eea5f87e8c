/**
 * Service hours per skill: whether people staff a queue at a given instant,
 * and when they are back. Pure and deterministic — the instant is an
 * argument (workflow time) and the time-zone rules come from luxon over the
 * runtime's Intl data, so the same history always gives the same answer.
 *
 * Windows are local times in the skill's time zone ("09:00-18:00"; a window
 * may end at "24:00"); holidays are local dates and close the whole day.
 */
import { DateTime, IANAZone } from 'luxon';
import type { Language, ServiceHours, Weekday } from '../workflows/contract';
import { WEEKDAYS } from '../workflows/contract';

/** How far ahead the next opening is looked for (a skill closed longer than this has "no announced time"). */
const SEARCH_DAYS = 60;
const WINDOW = /^([01]\d|2[0-3]):([0-5]\d)-((?:[01]\d|2[0-3]):[0-5]\d|24:00)$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface ServiceStatus {
  open: boolean;
  /** When it next opens (ISO, UTC), when closed and an opening is within {@link SEARCH_DAYS} days. */
  opensAt?: string;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

function windowsOf(hours: ServiceHours, day: DateTime): [number, number][] {
  const weekday = WEEKDAYS[day.weekday - 1] as Weekday;
  if (hours.holidays?.includes(day.toISODate() ?? '')) return [];
  return (hours.weekly[weekday] ?? []).map((w) => {
    const [from, to] = w.split('-');
    return [minutesOf(from), minutesOf(to)];
  });
}

/** Open or closed at `nowMs`, and the next opening when closed. Undefined hours: always open. */
export function serviceStatus(hours: ServiceHours | undefined, nowMs: number): ServiceStatus {
  if (!hours) return { open: true };
  const now = DateTime.fromMillis(nowMs, { zone: hours.timeZone });
  const minute = now.hour * 60 + now.minute;
  if (windowsOf(hours, now).some(([from, to]) => minute >= from && minute < to)) return { open: true };
  for (let d = 0; d <= SEARCH_DAYS; d++) {
    const day = now.startOf('day').plus({ days: d });
    const starts = windowsOf(hours, day)
      .map(([from]) => from)
      .filter((from) => d > 0 || from > minute)
      .sort((a, b) => a - b);
    if (starts.length > 0) {
      // Built from the local wall time, so a DST change between now and then is accounted for.
      const opens = day.set({ hour: Math.floor(starts[0] / 60), minute: starts[0] % 60 });
      return { open: false, opensAt: opens.toUTC().toISO() ?? undefined };
    }
  }
  return { open: false };
}

/** "Mon 5 Jan 09:00 (Asia/Shanghai)" / "1月5日 周一 09:00（Asia/Shanghai）": said in the skill's own time zone. */
export function formatOpening(opensAt: string | undefined, hours: ServiceHours | undefined, language: Language): string {
  if (!opensAt || !hours) return language === 'zh' ? '稍后（暂无确定时间）' : 'later (no time announced yet)';
  const t = DateTime.fromISO(opensAt, { zone: hours.timeZone });
  const weekdayZh = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'][t.weekday - 1];
  const weekdayEn = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][t.weekday - 1];
  const monthEn = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][t.month - 1];
  const hhmm = `${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;
  return language === 'zh'
    ? `${t.month}月${t.day}日 ${weekdayZh} ${hhmm}（${hours.timeZone}）`
    : `${weekdayEn} ${t.day} ${monthEn} ${hhmm} (${hours.timeZone})`;
}

/** Problems with a service-hours definition, for configuration validation (empty when valid). */
export function serviceHoursProblems(hours: ServiceHours): string[] {
  const problems: string[] = [];
  if (typeof hours.timeZone !== 'string' || !IANAZone.isValidZone(hours.timeZone)) {
    problems.push(`timeZone ${JSON.stringify(hours.timeZone)} is not an IANA time zone (e.g. "Asia/Shanghai")`);
  }
  for (const [day, windows] of Object.entries(hours.weekly ?? {})) {
    if (!(WEEKDAYS as readonly string[]).includes(day)) problems.push(`weekly.${day} is not a weekday (${WEEKDAYS.join(', ')})`);
    for (const w of windows ?? []) {
      const m = WINDOW.exec(w);
      if (!m) problems.push(`weekly.${day}: ${JSON.stringify(w)} is not "HH:MM-HH:MM"`);
      else if (minutesOf(w.split('-')[0]) >= minutesOf(w.split('-')[1])) problems.push(`weekly.${day}: ${w} ends before it starts`);
    }
  }
  for (const d of hours.holidays ?? []) {
    if (!DATE.test(d) || !DateTime.fromISO(d).isValid) problems.push(`holidays: ${JSON.stringify(d)} is not a date "YYYY-MM-DD"`);
  }
  return problems;
}
