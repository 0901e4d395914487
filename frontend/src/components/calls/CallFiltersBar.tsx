// The history filters. The number field is debounced by the page.
import type { CallFilters } from '../../api/call-filters';
import { CALL_STATUSES, type Agent, type CallDirection } from '../../api/types';
import { useT } from '../../app/context';
import { statusLabel } from './labels';

interface Props {
  value: CallFilters;
  numberText: string;
  onNumberText: (text: string) => void;
  onChange: (f: CallFilters) => void;
  /** All agents (admins), or null: then a "my calls" switch. */
  agents: Agent[] | null;
  me: Agent;
}

const DIRECTIONS: CallDirection[] = ['inbound', 'outbound', 'internal'];

export function CallFiltersBar({ value, numberText, onNumberText, onChange, agents, me }: Props) {
  const t = useT();
  const set = (p: Partial<CallFilters>) => onChange({ ...value, ...p });
  return (
    <form
      class="filters"
      role="search"
      aria-label={t('filters.title')}
      onSubmit={(e) => e.preventDefault()}
      data-testid="call-filters"
    >
      <label class="field">
        <span>{t('filters.number')}</span>
        <input
          type="search"
          inputMode="tel"
          value={numberText}
          placeholder={t('filters.numberPlaceholder')}
          onInput={(e) => onNumberText(e.currentTarget.value)}
          data-testid="filter-number"
        />
      </label>
      <label class="field">
        <span>{t('filters.direction')}</span>
        <select
          value={value.direction ?? ''}
          onChange={(e) => set({ direction: e.currentTarget.value as CallDirection | '' })}
          data-testid="filter-direction"
        >
          <option value="">{t('filters.any')}</option>
          {DIRECTIONS.map((d) => (
            <option key={d} value={d}>
              {t(`direction.${d}`)}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        <span>{t('filters.status')}</span>
        <select
          value={value.status ?? ''}
          onChange={(e) => set({ status: e.currentTarget.value })}
          data-testid="filter-status"
        >
          <option value="">{t('filters.any')}</option>
          {CALL_STATUSES.map((s) => (
            <option key={s} value={s}>
              {statusLabel(t, s)}
            </option>
          ))}
        </select>
      </label>
      {agents ? (
        <label class="field">
          <span>{t('filters.agent')}</span>
          <select
            value={value.agentId == null ? '' : String(value.agentId)}
            onChange={(e) => {
              const v = e.currentTarget.value;
              set({ agentId: v === '' ? null : Number(v) });
            }}
            data-testid="filter-agent"
          >
            <option value="">{t('filters.anyAgent')}</option>
            {agents.map((a) => (
              <option key={a.id} value={String(a.id)}>
                {a.display_name || a.username}
              </option>
            ))}
          </select>
        </label>
      ) : (
        <label class="field field-inline">
          <input
            type="checkbox"
            checked={value.agentId === me.id}
            onChange={(e) => set({ agentId: e.currentTarget.checked ? me.id : null })}
            data-testid="filter-agent"
          />
          <span>{t('filters.mine')}</span>
        </label>
      )}
      <label class="field">
        <span>{t('filters.from')}</span>
        <input
          type="date"
          value={value.from ?? ''}
          onChange={(e) => set({ from: e.currentTarget.value || undefined })}
          data-testid="filter-from"
        />
      </label>
      <label class="field">
        <span>{t('filters.to')}</span>
        <input
          type="date"
          value={value.to ?? ''}
          onChange={(e) => set({ to: e.currentTarget.value || undefined })}
          data-testid="filter-to"
        />
      </label>
      <label class="field">
        <span>{t('filters.recording')}</span>
        <select
          value={value.hasRecording == null ? '' : String(value.hasRecording)}
          onChange={(e) => {
            const v = e.currentTarget.value;
            set({ hasRecording: v === '' ? null : v === 'true' });
          }}
          data-testid="filter-recording"
        >
          <option value="">{t('filters.any')}</option>
          <option value="true">{t('filters.recording.yes')}</option>
          <option value="false">{t('filters.recording.no')}</option>
        </select>
      </label>
      <button
        type="button"
        class="btn btn-ghost"
        onClick={() => {
          onNumberText('');
          onChange({});
        }}
        data-testid="filter-clear"
      >
        {t('filters.clear')}
      </button>
    </form>
  );
}
