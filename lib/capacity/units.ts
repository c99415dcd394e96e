/** Units of the capacity model. */

export const KIB = 1024;
export const MIB = 1024 ** 2;
/** AWS bills "GB" of 2^30 bytes; so do we, everywhere. */
export const GIB = 1024 ** 3;
export const SECONDS_PER_DAY = 86_400;
/** AWS's pricing pages turn hourly rates into a month with 730 hours. */
export const HOURS_PER_MONTH = 730;
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
export const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;
