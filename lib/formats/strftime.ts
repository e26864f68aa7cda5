/**
 * strftime(3) for file names (`-w 'cap-%Y%m%d-%H%M%S.pcap'` with -G), in the local time zone
 * (TZ) and the C locale, as tcpdump formats its rotated file names.
 *
 * Conversions: %a %A %b %B %c %C %d %D %e %F %g %G %h %H %I %j %k %l %m %M %n %p %r %R %s %S
 * %t %T %u %U %V %w %W %x %X %y %Y %z %Z %%. The E and O modifiers are accepted and ignored (C
 * locale). An unknown conversion is kept as written, `%` included.
 *
 * @module
 */

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

function pad(n: number, width: number, fill = "0"): string {
  const s = String(Math.abs(n)).padStart(width, fill);
  return n < 0 ? "-" + s : s;
}

/** Day of the year, 0-based (tm_yday). */
function yearDay(d: Date): number {
  const start = new Date(d.getFullYear(), 0, 1);
  // Whole days between local midnights; rounding absorbs a DST hour.
  const midnight = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  return Math.round((midnight.getTime() - start.getTime()) / 86400000);
}

/** ISO 8601 week-based year and week number (%G, %V). */
function isoWeek(d: Date): { year: number; week: number } {
  const wday = (d.getDay() + 6) % 7; // Monday 0
  const yday = yearDay(d);
  // The Thursday of this week decides the year.
  let year = d.getFullYear();
  const thursday = yday - wday + 3;
  const daysIn = (y: number) => (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 366 : 365);
  if (thursday < 0) {
    year--;
    const t = thursday + daysIn(year);
    return { year, week: Math.floor(t / 7) + 1 };
  }
  if (thursday >= daysIn(year)) return { year: year + 1, week: 1 };
  return { year, week: Math.floor(thursday / 7) + 1 };
}

/** "+hhmm" offset from UTC (%z). */
function zoneOffset(d: Date): string {
  const m = -d.getTimezoneOffset();
  const a = Math.abs(m);
  return `${m < 0 ? "-" : "+"}${pad(Math.floor(a / 60), 2)}${pad(a % 60, 2)}`;
}

/** Time zone abbreviation (%Z), e.g. UTC or CET; the offset when the runtime has no name. */
function zoneName(d: Date): string {
  try {
    const part = new Intl.DateTimeFormat("en-US", { timeZoneName: "short" }).formatToParts(d)
      .find((p) => p.type === "timeZoneName");
    if (part) return part.value;
  } catch {
    // No Intl time zone data: fall through.
  }
  return zoneOffset(d);
}

function hour12(h: number): number {
  return h % 12 === 0 ? 12 : h % 12;
}

function conversion(c: string, d: Date): string | undefined {
  switch (c) {
    case "a":
      return DAYS[d.getDay()].slice(0, 3);
    case "A":
      return DAYS[d.getDay()];
    case "b":
    case "h":
      return MONTHS[d.getMonth()].slice(0, 3);
    case "B":
      return MONTHS[d.getMonth()];
    case "c":
      return strftime("%a %b %e %H:%M:%S %Y", d);
    case "C":
      return pad(Math.floor(d.getFullYear() / 100), 2);
    case "d":
      return pad(d.getDate(), 2);
    case "D":
      return strftime("%m/%d/%y", d);
    case "e":
      return pad(d.getDate(), 2, " ");
    case "F":
      return strftime("%Y-%m-%d", d);
    case "g":
      return pad(isoWeek(d).year % 100, 2);
    case "G":
      return String(isoWeek(d).year);
    case "H":
      return pad(d.getHours(), 2);
    case "I":
      return pad(hour12(d.getHours()), 2);
    case "j":
      return pad(yearDay(d) + 1, 3);
    case "k":
      return pad(d.getHours(), 2, " ");
    case "l":
      return pad(hour12(d.getHours()), 2, " ");
    case "m":
      return pad(d.getMonth() + 1, 2);
    case "M":
      return pad(d.getMinutes(), 2);
    case "n":
      return "\n";
    case "p":
      return d.getHours() < 12 ? "AM" : "PM";
    case "r":
      return strftime("%I:%M:%S %p", d);
    case "R":
      return strftime("%H:%M", d);
    case "s":
      return String(Math.floor(d.getTime() / 1000));
    case "S":
      return pad(d.getSeconds(), 2);
    case "t":
      return "\t";
    case "T":
      return strftime("%H:%M:%S", d);
    case "u":
      return String(d.getDay() === 0 ? 7 : d.getDay());
    case "U":
      return pad(Math.floor((yearDay(d) + 7 - d.getDay()) / 7), 2);
    case "V":
      return pad(isoWeek(d).week, 2);
    case "w":
      return String(d.getDay());
    case "W":
      return pad(Math.floor((yearDay(d) + 7 - ((d.getDay() + 6) % 7)) / 7), 2);
    case "x":
      return strftime("%m/%d/%y", d);
    case "X":
      return strftime("%H:%M:%S", d);
    case "y":
      return pad(d.getFullYear() % 100, 2);
    case "Y":
      return String(d.getFullYear());
    case "z":
      return zoneOffset(d);
    case "Z":
      return zoneName(d);
    case "%":
      return "%";
  }
  return undefined;
}

/** Formats `date` (local time) by `format`, like strftime(3) in the C locale. */
export function strftime(format: string, date: Date): string {
  let out = "";
  for (let i = 0; i < format.length; i++) {
    const ch = format[i];
    if (ch !== "%" || i + 1 >= format.length) {
      out += ch;
      continue;
    }
    let j = i + 1;
    if ((format[j] === "E" || format[j] === "O") && j + 1 < format.length) j++;
    const text = conversion(format[j], date);
    if (text === undefined) {
      out += format.slice(i, j + 1);
    } else {
      out += text;
    }
    i = j;
  }
  return out;
}

/** Whether `format` holds a conversion that changes with time (so -G names differ). */
export function hasTimeConversion(format: string): boolean {
  return /%[EO]?[aAbBcCdDeFgGhHIjklmMprRsSTuUVwWxXyYzZ]/.test(format);
}
