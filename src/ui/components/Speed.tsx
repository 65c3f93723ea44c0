// Instructions per second while the VM runs, from how fast its recorded icount grows.
import { useEffect, useRef, useState } from 'react';
import { useApp } from '../AppContext.tsx';

export function Speed() {
  const icount = useApp((s) => s.current?.icount ?? 0);
  const running = useApp((s) => s.current?.status === 'running');
  const samples = useRef<{ at: number; icount: number }[]>([]);
  const [mips, setMips] = useState<number | null>(null);

  useEffect(() => {
    if (!running) {
      samples.current = [];
      setMips(null);
      return;
    }
    const now = performance.now();
    const list = [...samples.current, { at: now, icount }].filter((s) => now - s.at <= 2000);
    samples.current = list;
    const first = list[0];
    setMips(list.length > 1 && now > first.at ? (icount - first.icount) / ((now - first.at) * 1000) : null);
  }, [icount, running]);

  if (!running || mips === null) return null;
  return (
    <span className="speed muted" title="Instructions retired per second, over the last two seconds" data-testid="speed">
      {mips >= 1 ? `${mips.toFixed(1)} MIPS` : `${(mips * 1000).toFixed(0)} kIPS`}
    </span>
  );
}
