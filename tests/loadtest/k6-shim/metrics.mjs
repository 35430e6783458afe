// k6's Counter, keeping its total.
export const counters = new Map();

export class Counter {
  constructor(name) {
    this.name = name;
    counters.set(name, 0);
  }
  add(value) {
    counters.set(this.name, counters.get(this.name) + value);
  }
}
