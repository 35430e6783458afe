// k6's `check`, recording every result so a test can evaluate the script's check thresholds.
export const results = [];

export function check(value, checks) {
  let all = true;
  for (const [name, predicate] of Object.entries(checks)) {
    const passed = Boolean(predicate(value));
    results.push({ name, passed });
    all &&= passed;
  }
  return all;
}
