import type { Strings } from './en.js';

/** Japanese user-facing strings. */
export const ja: Strings = {
  welcome: {
    title: 'サインイン ヘルプ',
    greetingNew: '{name} さん、こんにちは。職場のアカウントに再びサインインできるようお手伝いします。',
    greetingReturning: '{name} さん、おかえりなさい。',
    greetingAnonymous: 'こんにちは。職場のアカウントに再びサインインできるようお手伝いします。',
    intro: '困っていることをご自分の言葉で入力するか、下のボタンから選んでください。',
    capabilities: [
      'サインインできない原因を調べ、解決の手順をご案内します。',
      'スマートフォンや認証アプリが使えなくなったときは、確認方法のリセットを申請できます。変更の前に、ヘルプデスクがご本人であることを確認します。',
      'あなたの申請の進み具合をお見せします。',
    ],
    safety: 'パスワードや確認コードをお尋ねすることはありません。ここには入力しないでください。',
    actionCantSignIn: 'サインインできない',
    actionMyRequests: '自分の申請',
    actionHelp: 'ヘルプ',
  },
  help: {
    title: 'できること',
    examplesHeading: '例えば次のように入力できます:',
    examples: ['「サインインできない」', '「スマホを機種変更した」', '「スマホをなくした」', '「番号が一致しない」'],
    commandsHeading: '次の言葉も使えます:',
    commands: [
      { command: 'ヘルプ', description: 'このガイドを表示' },
      { command: '診断', description: 'サインインできない原因を調べる' },
      { command: '自分の申請', description: '申請の進み具合を見る' },
    ],
  },
  actions: {
    answered: '下のチャットに回答しました。',
  },
  diagnosis: {
    title: '原因を一緒に確認しましょう',
    progress: '質問 {number}',
    evidenceHeading: 'ディレクトリで確認できたこと',
    methodsLine: '登録済みの確認方法: {methods}',
    noMethodsLine: 'このアカウントには確認方法が登録されていません。',
    unknownEvidence: 'いまはディレクトリを確認できなかったため、質問でお伺いします。',
    facts: {
      mfaNotCompleted: '最近のサインインは、本人確認の手順で止まっています。',
      wrongPassword: '最近のサインインは、パスワードが原因で拒否されています。',
    },
    categories: {
      selfService: 'ご自身で解決できます',
      notMfa: '確認方法の問題ではありません',
      resetNeeded: 'ヘルプデスクによる確認方法のリセットが必要です',
    },
    didThisFixIt: '解決しましたか?',
    yes: 'はい、サインインできました',
    no: 'いいえ、まだできません',
    apply: 'リセットを申請する',
    noLongerNeeded: 'サインインできるようになった',
    resolvedTitle: '解決してよかったです',
    resolvedBody: 'お知らせいただきありがとうございます。また困ったときは、状況を入力してください。',
    unresolvedTitle: 'ヘルプデスクにご連絡ください',
    unresolvedBody:
      'ご自身で試せることはすべてご案内しました。IT ヘルプデスクに連絡し、これまでに試したことが分かるよう、次の参照番号をお伝えください: {reference}',
    staleAnswer: 'このカードは前の手順のものです。最新の手順は下のチャットにあります。',
    answered: '回答: {answer}',
    symptomsTitle: '状況に最も近いものはどれですか?',
    symptomsIntro: 'うまく理解できませんでした。近いものを選ぶか、別の言葉で説明してください。',
    next: '次へ',
    pickOne: 'いずれかを選んでください。',
    symptoms: {
      lostPhone: 'スマートフォンをなくした・初期化した',
      newPhone: 'スマートフォンを機種変更した',
      authenticatorDeleted: '認証アプリを削除してしまった',
      numberMismatch: '番号やコードがうまくいかない',
      password: 'パスワードが受け付けられない',
      lockedOrBlocked: 'アカウントがロック・ブロックされた',
      setup: 'アカウントを設定している',
      somethingElse: 'その他',
    },
  },
  application: {
    title: '確認方法のリセットを申請',
    titleFor: '{name} さんのリセットを申請',
    intro:
      'ヘルプデスクがご本人であることを確認したうえで、指定された確認方法を削除します。その後、1 回限りの一時アクセス パスでサインインし、新しい方法を登録します。',
    subjectTitle: 'どのアカウントのリセットですか?',
    subjectIntro: '上長の方は、Teams を使えない直属の部下のアカウントについても申請できます。',
    subjectLabel: 'アカウント',
    self: '自分のアカウント ({name})',
    continue: '次へ',
    reasonLabel: '何がありましたか?',
    reasons: {
      lostPhone: 'スマートフォンを紛失した・盗まれた',
      phoneReset: 'スマートフォンを初期化した',
      authenticatorDeleted: '認証アプリを削除した',
      newPhoneNoOld: '機種変更し、古い端末がもう手元にない',
      other: 'その他 (補足欄に記入してください)',
    },
    methodsLabel: '使えなくなった確認方法はどれですか?',
    verificationLabel: 'ヘルプデスクはどの方法でご本人確認をすればよいですか?',
    verifications: {
      videoCall: 'ビデオ通話で写真付き身分証を見せる',
      inPerson: '職員証・学生証を持って窓口に行く',
      managerConfirmation: '上長に本人であることを確認してもらう',
      callback: '登録済みの電話番号に折り返し電話をもらう',
    },
    contactLabel: 'ヘルプデスクからの連絡先',
    contactPlaceholder: '電話番号、またはロックされたアカウント以外のメール アドレス',
    noteLabel: 'ヘルプデスクへの補足 (任意)',
    submit: '申請を送信',
    problems: {
      required: '入力してください。',
      tooLong: '長すぎます。{max} 文字以内で入力してください。',
      invalid: '表示された選択肢から選んでください。',
    },
    confirmationTitle: '申請を受け付けました: {reference}',
    confirmationBody:
      'この参照番号を控えておいてください。申請は担当者が営業日に確認します。夜間、週末、祝日の申請は翌営業日以降の確認になります。ご指定の方法でご本人確認の連絡があり、確認できてから確認方法をリセットします。ヘルプデスクがパスワードを尋ねることはありません。',
    openRequestTitle: '未完了の申請があります',
    openRequestBody:
      'このアカウントの申請 {reference} がまだ処理中のため、新しい申請は不要です。進み具合はここでお知らせします。',
    capReachedTitle: '本日の申請数の上限に達しました',
    capReachedBody:
      '過去 24 時間に {cap} 件申請しており、これが上限です。急ぎの場合は IT ヘルプデスクに直接ご連絡ください。',
    notEligibleTitle: 'このアカウントは申請できません',
    notEligibleBody:
      '申請できるのは、ご自身のアカウントか、上長の方は直属の部下のアカウントです。選び直すか、IT ヘルプデスクにご連絡ください。',
  },
  methods: {
    microsoftAuthenticator: '{device} の Authenticator',
    microsoftAuthenticatorNoDevice: 'Microsoft Authenticator アプリ',
    phoneMobile: '携帯電話 {number}',
    phoneAlternateMobile: '予備の携帯電話 {number}',
    phoneOffice: '会社の電話 {number}',
    softwareOath: '認証アプリのコード',
    fido2: 'セキュリティ キー {device}',
    windowsHelloForBusiness: '{device} の Windows Hello',
    email: 'メール {address}',
    temporaryAccessPass: '一時アクセス パス',
    password: 'パスワード',
    defaultSuffix: '{method} (既定)',
  },
  requests: {
    title: '自分の申請',
    none: '申請はありません。サインインできない場合は「サインインできない」を選んでください。対応方法を一緒に確認します。',
    forSomeone: '{name} さんの分',
    filed: '送信日時 {date}',
    states: {
      submitted: '受付済み',
      awaiting_manager: '上長の確認待ち',
      pending_review: 'ヘルプデスクの確認待ち',
      approved: '承認済み',
      executing: '処理中',
      completed: '完了',
      rejected: '却下',
      cancelled: '取り消し',
      expired: '期限切れ',
      failed: 'ヘルプデスクの対応が必要',
    },
  },
  team: {
    title: 'サインイン ヘルプを追加しました',
    body: 'この組織の皆さんがアカウントに再びサインインできるようお手伝いします。リセットの申請は承認用チャネルでヘルプデスク担当者が確認・判断します。承認用チャネルは管理者が設定します。',
  },
  refusals: {
    missingIdentity:
      'ご利用いただけるのは、組織のアカウントでサインインしているメンバーの方だけです。このメッセージからはどなたか確認できませんでした。職場のアカウントで Microsoft Teams からこのチャットを開き、もう一度お試しください。',
  },
  errors: {
    title: '問題が発生しました',
    generic:
      '申し訳ありません。処理を完了できませんでした。入力された内容は失われていません。少し待ってからもう一度お試しください。繰り返し起きる場合は、この参照番号をヘルプデスクにお伝えください: {reference}',
  },
  pages: {
    home: {
      title: 'サインイン ヘルプ',
      paragraphs: [
        'サインイン ヘルプは、組織の IT ヘルプデスクが運用する Microsoft Teams アプリです。職場のアカウントにサインインできない原因を調べて解決の手順をご案内し、ご自身で解決できない場合は確認方法のリセットの申請を受け付けます。',
        'Microsoft Teams で開き、困っていることを入力してください。パスワードや確認コードをお尋ねすることはありません。',
      ],
    },
    privacy: {
      title: 'プライバシーに関する声明',
      paragraphs: [
        'サインイン ヘルプは組織の IT ヘルプデスクが運用しており、保存されるデータについては組織が責任を負います。',
        'お手伝いに必要なものだけを保存します: このアプリとの会話の状態、Teams で連絡するための宛先、そしてリセットを申請した場合は、その申請内容、判断の記録、誰が何をしたかの改ざん検知可能な記録です。',
        'サインインの問題を調べるため、アカウントが有効かどうか、どの確認方法が登録されているか (一部を伏せて表示) など、必要な情報を組織のディレクトリから読み取ります。',
        'パスワード、確認コード、一時アクセス パスをお尋ねしたり、保存したり、ログに記録したりすることはありません。',
        'データに関するご質問は、IT ヘルプデスクにお問い合わせください。',
      ],
    },
    terms: {
      title: '利用条件',
      paragraphs: [
        'サインイン ヘルプは、組織のメンバーがご自身の職場のアカウントに再びアクセスできるようにするためのものです。上長の方は、Teams を使えない直属の部下のアカウントについても申請できます。',
        '申請はヘルプデスクが確認し、変更の前にご本人であることを確認します。権限のないアカウントについての申請は拒否され、記録されます。',
        'ご利用にあたっては、組織の IT ポリシーに従ってください。',
      ],
    },
    otherLanguage: { label: 'English', locale: 'en' },
  },
};
