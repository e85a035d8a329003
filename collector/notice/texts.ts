import type { Language } from './language.js';

/** The deployment's facts a shopper's notice states, read from /privacy.json's facts. */
export interface NoticeFacts {
  k: number;
  minNetworks: number;
  stagingTtlSeconds: number;
  retentionSeconds: number;
  /** Whether the collector treats `DNT: 1` like `Sec-GPC: 1` (KANON_HONOR_DNT). */
  dnt: boolean;
  /** Noise mode's ε per visitor and day (KANON_EPSILON), or null when figures are exact. */
  noiseEpsilon: number | null;
}

type Unit = 'd' | 'h' | 'm' | 's';

/** What the opt-out control on the shop's privacy page says in each of its states. */
export interface ControlText {
  in: string;
  out: string;
  optOut: string;
  optIn: string;
  signal: string;
  blocked: string;
}

/**
 * Everything the notice says in one language. Plain text only: the renderer escapes it, and
 * places links and markup itself. `d(seconds)` writes a duration in the language ("400 days").
 */
export interface NoticeText {
  /** The language's own name, for the language links. */
  name: string;
  units: Record<Unit, [one: string, many: string]>;
  title: string;
  intro: (f: NoticeFacts) => string;
  sends: { heading: string; body: string };
  dropped: { heading: string; items: string[] };
  kept: { heading: string; items: (f: NoticeFacts, d: (seconds: number) => string) => string[] };
  optOut: { heading: string; items: (f: NoticeFacts) => string[] };
  rights: { heading: string; body: (f: NoticeFacts) => string };
  machine: string;
  snippet: {
    heading: string;
    body: (f: NoticeFacts, d: (seconds: number) => string) => string;
    control: string;
    details: string;
  };
  control: ControlText;
}

const en: NoticeText = {
  name: 'English',
  units: { d: ['day', 'days'], h: ['hour', 'hours'], m: ['minute', 'minutes'], s: ['second', 'seconds'] },
  title: 'Visit statistics on this shop: what is counted, and what is not',
  intro: (f) =>
    `This shop counts visits to improve its product range, page layout and promotions. It does so anonymously, with Kanon: no cookie, no profile, nothing that identifies you, and only statistics of groups of at least ${f.k} different visitors.`,
  sends: {
    heading: 'What your browser sends',
    body: 'When you view a page, a small script sends the page address, the page you came from, the kind of page and the width of your window; as you shop, the products you view or put in your cart (their number, category, price and quantity), the value and currency of an order, what you search for and how many results it found, which promotions and page sections you see or click, and how far down a page you scroll. It sets no cookie and reads no fingerprint of your device.',
  },
  dropped: {
    heading: 'What is dropped at once',
    items: [
      'Your IP address and your browser’s identification (user agent) serve for a moment only: to tell visitors apart for one day by a code that cannot be traced back to you, to find your country, and to recognise automated visits. Then they are dropped: never stored, never written to a log.',
      'Cookies and the other details your browser sends with a request are not used.',
      'E-mail addresses, phone numbers, card numbers, bank account numbers and other identifiers in page addresses and search terms are removed before anything is stored. Of the page you came from, only the site’s name is kept.',
    ],
  },
  kept: {
    heading: 'What is kept, and for how long',
    items: (f, d) => [
      `Counts per page, product, search and the like, with each visitor’s code of the day, for at most ${d(f.stagingTtlSeconds)}, to work out the statistics. The code changes every day, and once its day is over nobody, not the shop either, can tell which code was yours.`,
      `Statistics: figures only for groups of at least ${f.k} different visitors${f.minNetworks > 1 ? `, from at least ${f.minNetworks} different networks` : ''}; smaller groups are merged into “other” or left out.${f.noiseEpsilon === null ? '' : ` Each figure also carries a little random noise (differential privacy, ε = ${f.noiseEpsilon} per visitor and day), so that no figure shows whether one visitor was there.`} They are kept for ${d(f.retentionSeconds)}, then deleted.`,
    ],
  },
  optOut: {
    heading: 'How to opt out',
    items: (f) => [
      `If your browser sends Global Privacy Control (GPC)${f.dnt ? ' or Do Not Track (DNT)' : ''}, nothing about your visits is recorded.`,
      'Without it, use the opt-out button on the shop’s privacy page. It keeps one entry in your browser for this shop (kanon_opt_out, not a cookie; it is never sent anywhere), and while it is there your browser sends nothing about your visits. Deleting this site’s data in your browser removes it, and with it your choice.',
    ],
  },
  rights: {
    heading: 'Your rights',
    body: (f) =>
      `Kanon keeps nothing that can be linked to you, so there is no data of yours to look up, hand over or delete: every figure it keeps describes at least ${f.k} visitors. For any question, write to the shop’s data-protection officer.`,
  },
  machine: 'The same facts, as this collector runs, for machines:',
  snippet: {
    heading: 'Anonymous visit statistics',
    body: (f, d) =>
      `We count visits to improve our product range, page layout and promotions, with Kanon. It sets no cookie and keeps nothing that identifies you: your IP address and your browser’s identification are dropped as soon as a visit is counted, and only statistics of groups of at least ${f.k} visitors are kept, for ${d(f.retentionSeconds)}. If your browser sends Global Privacy Control${f.dnt ? ' or Do Not Track' : ''}, nothing is recorded.`,
    control: 'You can also opt out in this browser:',
    details: 'What is counted, in detail:',
  },
  control: {
    in: 'This browser takes part in the shop’s anonymous visit statistics.',
    out: 'You have opted out: this browser sends nothing about your visits.',
    optOut: 'Opt out',
    optIn: 'Take part again',
    signal: 'Your browser sends Global Privacy Control or Do Not Track: nothing about your visits is sent.',
    blocked: 'Your browser blocks this site’s storage: nothing about your visits is sent.',
  },
};

const de: NoticeText = {
  name: 'Deutsch',
  units: {
    d: ['Tag', 'Tage'],
    h: ['Stunde', 'Stunden'],
    m: ['Minute', 'Minuten'],
    s: ['Sekunde', 'Sekunden'],
  },
  title: 'Besuchsstatistik in diesem Shop: was gezählt wird und was nicht',
  intro: (f) =>
    `Dieser Shop zählt Besuche, um sein Sortiment, den Aufbau seiner Seiten und seine Aktionen zu verbessern. Er tut das anonym, mit Kanon: kein Cookie, kein Profil, nichts, was Sie identifiziert, und nur Statistiken über Gruppen von mindestens ${f.k} verschiedenen Besuchern.`,
  sends: {
    heading: 'Was Ihr Browser sendet',
    body: 'Wenn Sie eine Seite aufrufen, sendet ein kleines Skript die Adresse der Seite, die Seite, von der Sie kamen, die Art der Seite und die Breite Ihres Fensters; beim Einkaufen die Produkte, die Sie ansehen oder in den Warenkorb legen (Nummer, Kategorie, Preis und Menge), Wert und Währung einer Bestellung, wonach Sie suchen und wie viele Treffer es gab, welche Aktionen und Seitenbereiche Sie sehen oder anklicken und wie weit Sie eine Seite hinunterscrollen. Es setzt kein Cookie und liest keinen Fingerabdruck Ihres Geräts.',
  },
  dropped: {
    heading: 'Was sofort verworfen wird',
    items: [
      'Ihre IP-Adresse und die Kennung Ihres Browsers (User-Agent) dienen nur einen Augenblick: um Besucher für einen Tag durch einen Code zu unterscheiden, der sich nicht auf Sie zurückführen lässt, um Ihr Land zu bestimmen und um automatisierte Besuche zu erkennen. Dann werden sie verworfen: nie gespeichert, nie in ein Protokoll geschrieben.',
      'Cookies und die übrigen Angaben, die Ihr Browser mit einer Anfrage sendet, werden nicht verwendet.',
      'E-Mail-Adressen, Telefonnummern, Kartennummern, Kontonummern und andere Kennungen in Seitenadressen und Suchbegriffen werden entfernt, bevor etwas gespeichert wird. Von der Seite, von der Sie kamen, bleibt nur der Name der Website.',
    ],
  },
  kept: {
    heading: 'Was gespeichert wird, und wie lange',
    items: (f, d) => [
      `Zählungen je Seite, Produkt, Suche und Ähnlichem, mit dem Tagescode jedes Besuchers, höchstens ${d(f.stagingTtlSeconds)} lang, um daraus die Statistik zu berechnen. Der Code wechselt jeden Tag, und ist sein Tag vorbei, kann niemand, auch nicht der Shop, sagen, welcher Code Ihrer war.`,
      `Statistik: Zahlen nur für Gruppen von mindestens ${f.k} verschiedenen Besuchern${f.minNetworks > 1 ? ` aus mindestens ${f.minNetworks} verschiedenen Netzen` : ''}; kleinere Gruppen werden unter „Sonstige“ zusammengefasst oder weggelassen.${f.noiseEpsilon === null ? '' : ` Jede Zahl enthält zudem ein wenig zufälliges Rauschen (Differential Privacy, ε = ${f.noiseEpsilon} je Besucher und Tag), damit keine Zahl zeigt, ob ein einzelner Besucher dabei war.`} Sie werden ${d(f.retentionSeconds)} lang aufbewahrt und dann gelöscht.`,
    ],
  },
  optOut: {
    heading: 'Wie Sie widersprechen',
    items: (f) => [
      `Sendet Ihr Browser Global Privacy Control (GPC)${f.dnt ? ' oder Do Not Track (DNT)' : ''}, wird nichts über Ihre Besuche erfasst.`,
      'Ohne dieses Signal nutzen Sie die Schaltfläche zum Widerspruch auf der Datenschutzseite des Shops. Sie legt in Ihrem Browser einen Eintrag für diesen Shop ab (kanon_opt_out, kein Cookie; er wird nirgendwohin gesendet), und solange er da ist, sendet Ihr Browser nichts über Ihre Besuche. Löschen Sie die Daten dieser Website in Ihrem Browser, ist er entfernt und mit ihm Ihre Wahl.',
    ],
  },
  rights: {
    heading: 'Ihre Rechte',
    body: (f) =>
      `Kanon speichert nichts, was sich mit Ihnen verknüpfen lässt; darum gibt es keine Daten von Ihnen, die man suchen, herausgeben oder löschen könnte: Jede gespeicherte Zahl beschreibt mindestens ${f.k} Besucher. Bei Fragen schreiben Sie dem oder der Datenschutzbeauftragten des Shops.`,
  },
  machine: 'Dieselben Angaben, so wie dieser Collector läuft, maschinenlesbar:',
  snippet: {
    heading: 'Anonyme Besuchsstatistik',
    body: (f, d) =>
      `Wir zählen Besuche, um unser Sortiment, den Aufbau unserer Seiten und unsere Aktionen zu verbessern, mit Kanon. Es setzt kein Cookie und speichert nichts, was Sie identifiziert: Ihre IP-Adresse und die Kennung Ihres Browsers werden verworfen, sobald ein Besuch gezählt ist, und es bleiben nur Statistiken über Gruppen von mindestens ${f.k} Besuchern, ${d(f.retentionSeconds)} lang. Sendet Ihr Browser Global Privacy Control${f.dnt ? ' oder Do Not Track' : ''}, wird nichts erfasst.`,
    control: 'Sie können auch hier in diesem Browser widersprechen:',
    details: 'Was gezählt wird, im Einzelnen:',
  },
  control: {
    in: 'Dieser Browser nimmt an der anonymen Besuchsstatistik des Shops teil.',
    out: 'Sie haben widersprochen: Dieser Browser sendet nichts über Ihre Besuche.',
    optOut: 'Widersprechen',
    optIn: 'Wieder teilnehmen',
    signal:
      'Ihr Browser sendet Global Privacy Control oder Do Not Track: Es wird nichts über Ihre Besuche gesendet.',
    blocked: 'Ihr Browser sperrt den Speicher dieser Website: Es wird nichts über Ihre Besuche gesendet.',
  },
};

const fr: NoticeText = {
  name: 'Français',
  units: {
    d: ['jour', 'jours'],
    h: ['heure', 'heures'],
    m: ['minute', 'minutes'],
    s: ['seconde', 'secondes'],
  },
  title: 'Statistiques de visite de cette boutique : ce qui est compté, et ce qui ne l’est pas',
  intro: (f) =>
    `Cette boutique compte les visites pour améliorer son assortiment, la présentation de ses pages et ses promotions. Elle le fait de façon anonyme, avec Kanon : pas de cookie, pas de profil, rien qui vous identifie, et seulement des statistiques de groupes d’au moins ${f.k} visiteurs différents.`,
  sends: {
    heading: 'Ce que votre navigateur envoie',
    body: 'Quand vous affichez une page, un petit script envoie l’adresse de la page, la page d’où vous venez, le type de page et la largeur de votre fenêtre ; pendant vos achats, les produits que vous consultez ou mettez dans votre panier (leur numéro, catégorie, prix et quantité), le montant et la devise d’une commande, ce que vous recherchez et combien de résultats la recherche a donnés, les promotions et les zones de page que vous voyez ou sur lesquelles vous cliquez, et jusqu’où vous faites défiler une page. Il ne dépose aucun cookie et ne lit aucune empreinte de votre appareil.',
  },
  dropped: {
    heading: 'Ce qui est écarté aussitôt',
    items: [
      'Votre adresse IP et l’identification de votre navigateur (user agent) ne servent qu’un instant : à distinguer les visiteurs pendant une journée par un code qui ne permet pas de remonter jusqu’à vous, à trouver votre pays et à reconnaître les visites automatisées. Elles sont ensuite écartées : jamais enregistrées, jamais écrites dans un journal.',
      'Les cookies et les autres informations que votre navigateur envoie avec une requête ne sont pas utilisés.',
      'Les adresses e-mail, numéros de téléphone, numéros de carte, numéros de compte bancaire et autres identifiants présents dans les adresses de page et les recherches sont supprimés avant tout enregistrement. De la page d’où vous venez, seul le nom du site est gardé.',
    ],
  },
  kept: {
    heading: 'Ce qui est conservé, et combien de temps',
    items: (f, d) => [
      `Des comptages par page, produit, recherche et autres, avec le code du jour de chaque visiteur, pendant ${d(f.stagingTtlSeconds)} au plus, pour calculer les statistiques. Le code change chaque jour, et une fois sa journée terminée, personne, la boutique non plus, ne peut dire quel code était le vôtre.`,
      `Les statistiques : des chiffres uniquement pour des groupes d’au moins ${f.k} visiteurs différents${f.minNetworks > 1 ? `, venant d’au moins ${f.minNetworks} réseaux différents` : ''} ; les groupes plus petits sont regroupés sous « autres » ou omis.${f.noiseEpsilon === null ? '' : ` Chaque chiffre porte en outre un léger bruit aléatoire (confidentialité différentielle, ε = ${f.noiseEpsilon} par visiteur et par jour), pour qu’aucun chiffre ne montre si un visiteur donné était là.`} Elles sont conservées ${d(f.retentionSeconds)}, puis supprimées.`,
    ],
  },
  optOut: {
    heading: 'Comment vous y opposer',
    items: (f) => [
      `Si votre navigateur envoie Global Privacy Control (GPC)${f.dnt ? ' ou Do Not Track (DNT)' : ''}, rien de vos visites n’est enregistré.`,
      'Sinon, utilisez le bouton d’opposition de la page de confidentialité de la boutique. Il garde dans votre navigateur une entrée pour cette boutique (kanon_opt_out, pas un cookie ; elle n’est jamais envoyée nulle part), et tant qu’elle s’y trouve, votre navigateur n’envoie rien sur vos visites. Effacer les données de ce site dans votre navigateur la supprime, et votre choix avec.',
    ],
  },
  rights: {
    heading: 'Vos droits',
    body: (f) =>
      `Kanon ne garde rien qui puisse être relié à vous : il n’y a donc aucune donnée vous concernant à rechercher, à communiquer ou à effacer, chaque chiffre conservé décrivant au moins ${f.k} visiteurs. Pour toute question, écrivez au délégué à la protection des données de la boutique.`,
  },
  machine: 'Les mêmes informations, telles que ce collecteur fonctionne, lisibles par une machine :',
  snippet: {
    heading: 'Statistiques de visite anonymes',
    body: (f, d) =>
      `Nous comptons les visites pour améliorer notre assortiment, la présentation de nos pages et nos promotions, avec Kanon. Il ne dépose aucun cookie et ne garde rien qui vous identifie : votre adresse IP et l’identification de votre navigateur sont écartées dès qu’une visite est comptée, et seules des statistiques de groupes d’au moins ${f.k} visiteurs sont conservées, pendant ${d(f.retentionSeconds)}. Si votre navigateur envoie Global Privacy Control${f.dnt ? ' ou Do Not Track' : ''}, rien n’est enregistré.`,
    control: 'Vous pouvez aussi vous y opposer ici, dans ce navigateur :',
    details: 'Ce qui est compté, en détail :',
  },
  control: {
    in: 'Ce navigateur participe aux statistiques de visite anonymes de la boutique.',
    out: 'Vous vous y êtes opposé : ce navigateur n’envoie rien sur vos visites.',
    optOut: 'M’y opposer',
    optIn: 'Participer de nouveau',
    signal:
      'Votre navigateur envoie Global Privacy Control ou Do Not Track : rien n’est envoyé sur vos visites.',
    blocked: 'Votre navigateur bloque le stockage de ce site : rien n’est envoyé sur vos visites.',
  },
};

export const TEXTS: Record<Language, NoticeText> = { en, de, fr };

/** A duration in whole days, hours, minutes or seconds, in the notice's language ("400 Tage"). */
export function durationIn(language: Language, seconds: number): string {
  const units = TEXTS[language].units;
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (seconds >= size && seconds % size === 0) {
      const count = seconds / size;
      return `${count.toLocaleString(language)} ${units[unit][count === 1 ? 0 : 1]}`;
    }
  }
  const count = Math.round(seconds);
  return `${count.toLocaleString(language)} ${units.s[count === 1 ? 0 : 1]}`;
}
