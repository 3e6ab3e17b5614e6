import { useEffect, useState } from 'react';
import type { Problem } from '../../../../engine/elements/types.js';
import { api } from '../../lib/api.js';
import './publish-warnings.css';

/**
 * What the draft does together with the other published maps and the scoring models, as the
 * server's publish preview says it (a field two of them decay, chains that fan out). The editor
 * cannot tell these alone; they warn, and do not block publishing.
 */
export function PublishWarnings({ mapId }: { mapId: string | null }) {
  const [warnings, setWarnings] = useState<readonly Problem[]>([]);
  useEffect(() => {
    if (!mapId) return;
    let live = true;
    api<{ warnings?: Problem[] }>(`/maps/${encodeURIComponent(mapId)}/publish-preview`)
      .then((p) => live && setWarnings(p.warnings ?? []))
      // The dialog itself says when the preview fails.
      .catch(() => {});
    return () => { live = false; };
  }, [mapId]);
  if (!warnings.length) return null;
  return (
    <div className="notice warn" role="status">
      <strong>Before you publish</strong>
      <ul className="problem-words">{warnings.map((w, i) => <li key={i}>{w.message}</li>)}</ul>
    </div>
  );
}
