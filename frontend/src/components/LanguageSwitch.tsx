import { useApp, useStore, useT } from '../app/context';
import { LANGS, isLang } from '../i18n/i18n';

/** Language picker; the choice is saved in this browser. */
export function LanguageSwitch() {
  const { i18n } = useApp();
  const t = useT();
  const lang = useStore(i18n.lang);
  return (
    <label class="lang-switch">
      <span class="sr-only">{t('lang.label')}</span>
      <select
        value={lang}
        aria-label={t('lang.label')}
        data-testid="language-select"
        onChange={(e) => {
          const v = e.currentTarget.value;
          if (isLang(v)) void i18n.setLang(v);
        }}
      >
        {LANGS.map((l) => (
          <option key={l} value={l}>
            {t(`lang.${l}`)}
          </option>
        ))}
      </select>
    </label>
  );
}
