import { formatOpening, serviceHoursProblems, serviceStatus } from '../../src/domain';
import type { ServiceHours } from '../../src/workflows/contract';

const SHANGHAI: ServiceHours = {
  timeZone: 'Asia/Shanghai',
  weekly: { mon: ['09:00-12:00', '13:00-18:00'], tue: ['09:00-18:00'], wed: ['09:00-18:00'], thu: ['09:00-18:00'], fri: ['09:00-18:00'] },
  holidays: ['2026-10-01', '2026-10-02'],
};
const ms = (iso: string) => Date.parse(iso);

describe('service hours', () => {
  it('is always open without hours', () => {
    expect(serviceStatus(undefined, ms('2026-01-01T03:00:00Z'))).toEqual({ open: true });
  });

  it('reads the windows in the skill’s own time zone', () => {
    // Monday 2026-03-02 09:30 in Shanghai is 01:30 UTC.
    expect(serviceStatus(SHANGHAI, ms('2026-03-02T01:30:00Z'))).toEqual({ open: true });
    // Monday 12:30 Shanghai: the lunch gap; back at 13:00 (05:00 UTC).
    expect(serviceStatus(SHANGHAI, ms('2026-03-02T04:30:00Z'))).toEqual({ open: false, opensAt: '2026-03-02T05:00:00.000Z' });
    // Friday 18:00 sharp is closed (windows end exclusively); next opening Monday 09:00.
    expect(serviceStatus(SHANGHAI, ms('2026-03-06T10:00:00Z'))).toEqual({ open: false, opensAt: '2026-03-09T01:00:00.000Z' });
  });

  it('closes on holidays and opens on the next working day', () => {
    // Thursday 1 October 2026 (national holiday), 10:00 Shanghai; the 2nd is one too, so Monday the 5th.
    expect(serviceStatus(SHANGHAI, ms('2026-10-01T02:00:00Z'))).toEqual({ open: false, opensAt: '2026-10-05T01:00:00.000Z' });
  });

  it('follows daylight saving time', () => {
    const berlin: ServiceHours = { timeZone: 'Europe/Berlin', weekly: { mon: ['09:00-17:00'], tue: ['09:00-17:00'] } };
    // Sunday 29 March 2026 Berlin moves to summer time: Monday 09:00 is 07:00 UTC (it was 08:00 UTC the week before).
    expect(serviceStatus(berlin, ms('2026-03-22T12:00:00Z')).opensAt).toBe('2026-03-23T08:00:00.000Z');
    expect(serviceStatus(berlin, ms('2026-03-29T12:00:00Z')).opensAt).toBe('2026-03-30T07:00:00.000Z');
  });

  it('says when people are back in both languages, in the skill’s time zone', () => {
    expect(formatOpening('2026-03-09T01:00:00.000Z', SHANGHAI, 'en')).toBe('Mon 9 Mar 09:00 (Asia/Shanghai)');
    expect(formatOpening('2026-03-09T01:00:00.000Z', SHANGHAI, 'zh')).toBe('3月9日 周一 09:00（Asia/Shanghai）');
    expect(formatOpening(undefined, SHANGHAI, 'en')).toBe('later (no time announced yet)');
  });

  it('reports a closed skill with no opening in sight without inventing one', () => {
    expect(serviceStatus({ timeZone: 'UTC', weekly: {} }, ms('2026-03-02T00:00:00Z'))).toEqual({ open: false });
  });

  it('names every problem of a bad definition', () => {
    expect(serviceHoursProblems(SHANGHAI)).toEqual([]);
    expect(
      serviceHoursProblems({ timeZone: 'Mars/Olympus', weekly: { mon: ['9-17', '18:00-17:00'], funday: ['09:00-10:00'] } as never, holidays: ['2026-13-01'] }),
    ).toEqual([
      'timeZone "Mars/Olympus" is not an IANA time zone (e.g. "Asia/Shanghai")',
      'weekly.mon: "9-17" is not "HH:MM-HH:MM"',
      'weekly.mon: 18:00-17:00 ends before it starts',
      'weekly.funday is not a weekday (mon, tue, wed, thu, fri, sat, sun)',
      'holidays: "2026-13-01" is not a date "YYYY-MM-DD"',
    ]);
  });
});
