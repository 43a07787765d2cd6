// A value that follows another at most once per `ms`: a change after a quiet spell applies at once (a paste, a
// chip, the first key), changes in quick succession wait for the end of the window. Fewer queries while typing.
import { useEffect, useRef, useState } from 'react';

export function useThrottled<T>(value: T, ms: number): T {
  const [current, setCurrent] = useState(value);
  const applied = useRef({ value, at: -Infinity });
  useEffect(() => {
    if (Object.is(applied.current.value, value)) return;
    const apply = () => {
      applied.current = { value, at: performance.now() };
      setCurrent(value);
    };
    const wait = applied.current.at + ms - performance.now();
    if (wait <= 0) return apply();
    const timer = setTimeout(apply, wait);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return current;
}
