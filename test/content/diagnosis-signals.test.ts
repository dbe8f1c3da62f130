import { describe, expect, it } from 'vitest';

import { DiagnosisEngine } from '../../src/domain/diagnosis/engine.js';
import { readFirstMessage } from '../../src/domain/diagnosis/read-first-message.js';
import { EVERY_LINK, firstCard, shippedKnowledge } from '../support/knowledge-walk.js';

/*
 * A development set for what a first message says besides its complaint (the knowledge's signals): the old phone at
 * hand or gone, another method that still works or none left, an invitation's age; and the kinds of message the
 * third held-out set found missed, in phrasings of our own. Written before the signals' phrases were tuned on it.
 *
 * Starting pass rate of this first batch, before any phrase was changed on it: 58 of 76; after tuning: 75 of 75 (one
 * look-alike dropped as too contrived to say what is right). Each later round gives its own.
 */

/** The reset path begins with identity verification where that service is configured (as here), else the reset. */
const RESET_PATH = ['identity-verification', 'reset-needed'];

/** `text` reaches `expected` first; `c-reset` stands for the reset path, whichever of its cards comes first. */
function expectFirstCard(text: string, expected: string): void {
  if (expected === 'c-reset') expect(RESET_PATH).toContain(firstCard(text));
  else expect(firstCard(text)).toBe(expected);
}

describe('a new phone, and what became of the old one', () => {
  it.each([
    ['got a new iphone today, the old one is still with me and works', 'new-phone-old-available'],
    ['switching to a pixel, my old samsung still works fine for now', 'new-phone-old-available'],
    ['new phone arrived. i havent wiped the old one yet, how do i move authenticator', 'new-phone-old-available'],
    ['upgraded my handphone, still got the previous one on my desk', 'new-phone-old-available'],
    [
      'Changing phones this weekend and both are in front of me, what do I do about the MFA app',
      'new-phone-old-available',
    ],
    ['I have a replacement phone; the previous device still turns on', 'new-phone-old-available'],
    ['機種変更しました。古いスマホはまだ手元にあって使えます', 'new-phone-old-available'],
    ['新しいiPhoneを買いました。前の端末もまだ動きます', 'new-phone-old-available'],
    ['スマホを買い替えたけど旧端末はまだ初期化していません', 'new-phone-old-available'],
    ['got a new phone', 'q-old-phone'],
    ['my company gave me a new mobile, how do i set up the authenticator on it', 'q-old-phone'],
    ['I am moving to a new android phone next week', 'q-old-phone'],
    ['機種変更したのでAuthenticatorを移したい', 'q-old-phone'],
    ['新しいスマホにしたらサインインの確認ができない', 'q-old-phone'],
    ['got a new phone because the old one was stolen on the bus', 'q-other-method'],
    ['new phone, the previous one is already traded in', 'q-other-method'],
    ['bought a replacement after my old phone died completely', 'q-other-method'],
    ['new phone now, i gave the old one to my son and he reset it', 'q-other-method'],
    ['switched phones and the old one went back to the shop', 'q-other-method'],
    ['新しいスマホを買いましたが、古いスマホは下取りに出してしまいました', 'q-other-method'],
    ['機種変更したけど前の携帯はもう手元にない', 'q-other-method'],
    ['前のスマホが壊れたので新しいのを買いました', 'q-other-method'],
  ])('reads %j as %s', (text, expected) => {
    expect(firstCard(text)).toBe(expected);
  });
});

describe('another method that still works, or none left', () => {
  it.each([
    ['lost my phone but my yubikey is on my keychain', 'sign-in-another-way'],
    ['phone got stolen. the office landline is registered as well', 'sign-in-another-way'],
    ['deleted the authenticator app by accident, but texts still come through to my number', 'sign-in-another-way'],
    ['my phone broke, i also have authenticator on my ipad', 'sign-in-another-way'],
    ['phone is dead, I can still receive the verification call on my desk phone', 'sign-in-another-way'],
    ['uninstalled authenticator, i have sms set up as a backup', 'sign-in-another-way'],
    ['スマホをなくしましたが、研究室の固定電話を登録してあります', 'sign-in-another-way'],
    ['認証アプリを消してしまいました。SMSは受け取れます', 'sign-in-another-way'],
    ['携帯が壊れた。タブレットにもAuthenticatorを入れています', 'sign-in-another-way'],
    ['スマホを紛失、セキュリティキーは持っています', 'sign-in-another-way'],
    ['lost my phone and that was the only way i had to verify', 'c-reset'],
    ['phone stolen, nothing else is registered', 'c-reset'],
    ['my phone fell in the river and everything was on that phone', 'c-reset'],
    ['deleted the app and i never set up any backup', 'c-reset'],
    ['スマホをなくしました。ほかに認証の方法はありません', 'c-reset'],
    ['携帯を落として壊しました。認証アプリしか登録していません', 'c-reset'],
    ['アプリを削除してしまい、予備の方法も登録していない', 'c-reset'],
    ['deleted the authenticator app and texts dont arrive either', 'q-other-method'],
    ['lost my phone, cant get sms', 'q-other-method'],
    ['認証アプリを消してしまい、SMSも届きません', 'q-other-method'],
    ['スマホをなくしてしまいました', 'q-other-method'],
  ])('reads %j as %s', (text, expected) => {
    expectFirstCard(text, expected);
  });
});

describe('an invitation and its age', () => {
  it.each([
    ['my invitation is from two months ago and the link no longer works', 'invitation-expired'],
    ['the onboarding invite expired, what now', 'invitation-expired'],
    ['i only found the techpass invite today but it was sent last month', 'invitation-expired'],
    ['招待メールが届いたのは先月です。リンクを開いても何も起きません', 'invitation-expired'],
    ['got the invitation yesterday but dont know where to accept it', 'invitation-pending'],
    ['招待メールは昨日届きました。どこで承諾すればいいですか', 'invitation-pending'],
    ['i got an invitation email', 'q-invitation'],
  ])('reads %j as %s', (text, expected) => {
    expect(firstCard(text)).toBe(expected);
  });
});

describe('kinds the third held-out set found missed, in phrasings of our own', () => {
  it.each([
    ['i approve nothing because nothing pops up on my phone when i sign in', 'notifications-not-arriving'],
    ['the authenticator never shows the approve request, i waited 5 minutes', 'notifications-not-arriving'],
    ['no push notification on my new phone when i try to log in', 'notifications-not-arriving'],
    ['サインインの承認通知がスマホに来ません', 'notifications-not-arriving'],
    ['Authenticatorに通知が表示されないのでサインインできない', 'notifications-not-arriving'],
    ['iPhoneにプッシュ通知が届かない', 'notifications-not-arriving'],
    ['i changed my mobile number and the codes still go to the old number', 'phone-number-changed'],
    ['got a new number from my telco, mfa sms goes to my previous number', 'phone-number-changed'],
    ['my phone number is different now, how do i update it for verification', 'phone-number-changed'],
    ['電話番号を変えたので、認証のSMSが古い番号に送られてしまう', 'phone-number-changed'],
    ['account seems to be deactivated, cannot log in at all', 'account-disabled'],
    ['it says my account has been disabled, please contact your administrator', 'account-disabled'],
    ['my password is not accepted even though i am sure it is right', 'password-forgotten'],
    ['keeps saying my password is incorrect', 'password-forgotten'],
    ['管理者に確認してもらう必要があると表示されました', 'contact-helpdesk'],
    ['管理者の承認が必要ですと出てサインインできない', 'contact-helpdesk'],
    ['アカウントを選ぶ画面から先に進まず、同じ画面を繰り返す', 'session-account-selection'],
    ['アカウントの選択画面がループして戻ってしまう', 'session-account-selection'],
    ['認証方法が全部使えなくなりました', 'c-reset'],
    ['登録してある方法がどれも使えません', 'c-reset'],
  ])('reads %j as %s', (text, expected) => {
    expectFirstCard(text, expected);
  });
});

describe('a second round: the kinds the fourth held-out set found missed, in phrasings of our own', () => {
  // Written before any phrase was changed for them: 37 of 45 passed then; all do now.
  it.each([
    ['the qr code in authenticator wont scan when i set up mfa', 'setup-trouble'],
    ['setting up the app for the first time and the camera cannot read the QR code', 'setup-trouble'],
    ['during registration the authenticator says the qr code is invalid', 'setup-trouble'],
    ['初期設定でQRコードが読み取れません', 'setup-trouble'],
    ['MFA登録の途中でQRコードをスキャンできない', 'setup-trouble'],
    ['got a new phone, how do i get my authenticator onto it', 'q-old-phone'],
    ['switched to an iphone 15 yesterday, mfa needs setting up again', 'q-old-phone'],
    ['im getting a new phone next week, what happens to my mfa', 'q-old-phone'],
    ['changed my handphone, now authenticator not on it', 'q-old-phone'],
    ['スマホを新しくしたのでMFAの設定をやり直したい', 'q-old-phone'],
    ['my mfa keeps failing', 'q-mfa-problem'],
    ['the second step of the login doesnt work for me', 'q-mfa-problem'],
    ['verification always fails when i sign in', 'q-mfa-problem'],
    ['MFAがうまくいかない', 'q-mfa-problem'],
    ['i keep getting approve sign in requests on my phone that i never started', 'possible-compromise'],
    ['random authenticator notifications asking me to approve, i wasnt logging in', 'possible-compromise'],
    ['someone is trying to log in as me, I get prompts all night', 'possible-compromise'],
    ['got a verification code sms i did not ask for, several times today', 'possible-compromise'],
    ['身に覚えのないサインイン要求が何度も届く', 'possible-compromise'],
    ['サインインしていないのに承認の通知が来ます', 'possible-compromise'],
    ['my account is disabled, not locked', 'account-disabled'],
    ['it says the account has been disabled by the administrator', 'account-disabled'],
    ['not a lockout, the message says my user account is disabled', 'account-disabled'],
    ['account deactivated after i came back from leave', 'account-disabled'],
    ['アカウントがロックではなく無効になっていると表示される', 'account-disabled'],
    ['アカウントが無効化されています', 'account-disabled'],
    ['i forgot my password', 'password-forgotten'],
    ['cant remember my password', 'password-forgotten'],
    ['what was my password again, i have no idea', 'password-forgotten'],
    ['password reset please', 'password-forgotten'],
    ['パスワードを忘れました', 'password-forgotten'],
    ['パスワードが思い出せない', 'password-forgotten'],
    ['no notification comes to my phone when i try to sign in', 'notifications-not-arriving'],
    ['authenticator doesnt show the approval request', 'notifications-not-arriving'],
    ['the approve prompt isnt popping up on my phone anymore', 'notifications-not-arriving'],
    ['i never get the push to approve', 'notifications-not-arriving'],
    ['サインインしても通知が来ない', 'notifications-not-arriving'],
    ['the sign in screen shows a number and i dont know where to type it', 'number-matching'],
    ['it shows 2 digits on the screen, authenticator wants a number', 'number-matching'],
    ['画面に数字が表示されるがどこに入力すればいいかわからない', 'number-matching'],
    ['Authenticatorで番号を入力するように言われるが、番号が分からない', 'number-matching'],
    ['表示された番号をアプリに入れる画面が出て困っています', 'number-matching'],
  ])('reads %j as %s', (text, expected) => {
    expect(firstCard(text)).toBe(expected);
  });

  it.each([
    ['スマホをなくしました。ほかに使える認証方法は一つもありません'],
    ['スマホを紛失して、他の方法も何も登録していない'],
    ['携帯を落としてしまい、認証できる手段がもうありません'],
  ])('reads %j as every method gone: the reset path', (text) => {
    expectFirstCard(text, 'c-reset');
  });
});

describe('a third round: non-native and abbreviated English, and Japanese, across every kind', () => {
  // Written before any phrase was changed for them: 36 of 40 passed then; all do now.
  it.each([
    ['my handphone spoil already, cannot do the mfa', 'q-other-method'],
    ['phone kena stolen at mrt, how to login now', 'q-other-method'],
    ['hp spoil, but sms still can receive', 'sign-in-another-way'],
    ['i change new phone liao, old phone still got, how to transfer', 'new-phone-old-available'],
    ['change phone already, old one give to my mother and she reset it', 'q-other-method'],
    ['account kena locked, too many wrong password', 'account-locked'],
    ['the login say account disabled, i never resign', 'account-disabled'],
    ['password expire already, cannot change', 'password-expired'],
    ['why login keep asking me approve, i not even login', 'possible-compromise'],
    ['authenticator no notification coming', 'notifications-not-arriving'],
    ['the number on screen and in app not same', 'number-matching'],
    ['i press approve but the computer still waiting waiting', 'q-mfa-problem'],
    ['need to setup mfa first time, the page say more info required', 'register-first-method'],
    ['techpass portal say not eligible for my laptop', 'not-eligible'],
    ['the invite email already 2 month, link cannot open', 'invitation-expired'],
    ['helpdesk gave me a temporary pass, how to use', 'tap-active'],
    ['forgot windows hello pin how', 'hello-pin-forgotten'],
    ['yubikey lost in taxi', 'security-key-lost'],
    ['my number change already, sms still going to old number', 'phone-number-changed'],
    ['error 50105 when open the app', 'app-not-assigned'],
    ['it says access blocked because of location, i am overseas for work', 'blocked-conditional-access'],
    ['company laptop not compliant it say, cannot open outlook', 'device-not-compliant'],
    ['want to talk to a real person pls', 'contact-helpdesk'],
    ['会社のスマホを返却したのでAuthenticatorが使えない', 'q-other-method'],
    ['新しいスマホに変えた、前のスマホはまだ使える', 'new-phone-old-available'],
    ['サインインすると「詳細情報が必要」と出る', 'register-first-method'],
    ['パスワードの有効期限が切れたと表示された', 'password-expired'],
    ['アカウントがロックされた、何回もパスワードを間違えた', 'account-locked'],
    ['夜中にサインインの承認要求が何度も来て怖い', 'possible-compromise'],
    ['テックパスのポータルで対象外と言われた', 'not-eligible'],
    ['マイナンバーカードで本人確認して自分で仮のパスを発行したい', 'identity-verification'],
    ['ヘルプデスクから一時アクセスパスをもらったが使い方がわからない', 'tap-active'],
    ['WindowsのPINを忘れました', 'hello-pin-forgotten'],
    ['ゲストとして招待されたけど、このテナントにアカウントが存在しないと出る', 'guest-not-in-tenant'],
    ['ユーザー名が正しくないかもしれませんと出る', 'wrong-username'],
    ['端末が準拠していないためアクセスできません', 'device-not-compliant'],
    ['電話番号を変更したのでSMSが届かない', 'phone-number-changed'],
    ['承認してもPCの画面が進まない', 'q-mfa-problem'],
    ['認証アプリを入れ直したらアカウントが消えた', 'q-other-method'],
  ])('reads %j as %s', (text, expected) => {
    expect(firstCard(text)).toBe(expected);
  });

  it.each([['携帯の画面が割れて操作できない。他の認証方法はない']])(
    'reads %j as every method gone: the reset path',
    (text) => {
      expectFirstCard(text, 'c-reset');
    },
  );
});

describe('a fourth round: the kinds every held-out set so far has missed, in phrasings of our own', () => {
  // Written before any phrase was changed for them: 30 of 47 passed then; all do now.
  it.each([
    ['got a new phone and authenticator is empty on it', 'q-old-phone'],
    ['new iphone, restored from backup, but authenticator shows no accounts', 'q-old-phone'],
    ['i set up my new phone and the microsoft authenticator app doesnt have my work account', 'q-old-phone'],
    ['just bought a new samsung, installed authenticator but it asks me to sign in and i cant', 'q-old-phone'],
    ['new phone - how do i get the codes on it', 'q-old-phone'],
    ['my phone was replaced by IT, authenticator needs to be set up', 'q-old-phone'],
    ['transferred everything to my new phone except the authenticator', 'q-old-phone'],
    ['got a new phone, now mfa doesnt work', 'q-old-phone'],
    ['新しいスマホにしたらAuthenticatorにアカウントが入っていない', 'q-old-phone'],
    ['機種変更後、認証アプリが空っぽです', 'q-old-phone'],
    ['スマホを新しくしてから多要素認証ができない', 'q-old-phone'],
    ['iPhoneを買い替えました。MFAの移行方法を教えてください', 'q-old-phone'],
    ['my mfa fails', 'q-mfa-problem'],
    ['authentication fails at the mfa step every time', 'q-mfa-problem'],
    ['2fa failing since yesterday', 'q-mfa-problem'],
    ['verification failed error when signing in', 'q-mfa-problem'],
    ['i denied the request by mistake and now it says sign in failed', 'mfa-denied-or-timeout'],
    ['the approval timed out before i could tap it', 'mfa-denied-or-timeout'],
    ['AADSTS500121 authentication failed during strong authentication request', 'mfa-denied-or-timeout'],
    ['認証に失敗しましたと出る', 'q-mfa-problem'],
    ['the push notification never shows up', 'notifications-not-arriving'],
    ['i dont see any approve popup on my phone', 'notifications-not-arriving'],
    ['authenticator app is silent, no alert when i log in', 'notifications-not-arriving'],
    ['phone doesnt ping when i try to sign in', 'notifications-not-arriving'],
    ['my phone gets nothing when i sign in on my laptop', 'notifications-not-arriving'],
    ['スマホに承認のポップアップが出てこない', 'notifications-not-arriving'],
    ['プッシュ通知が来なくなりました', 'notifications-not-arriving'],
    ['サインインしてもスマホが鳴らない', 'notifications-not-arriving'],
    ['the password i type is rejected', 'password-forgotten'],
    ['it says that my password is incorrect but it is correct', 'password-forgotten'],
    ['password doesnt work anymore', 'password-forgotten'],
    ['my password expired and it wont let me change it', 'password-expired'],
    ['it says i must change my password', 'password-expired'],
    ['password has expired, please update', 'password-expired'],
    ['too many wrong passwords, now locked', 'account-locked'],
    ['account locked out after failed attempts', 'account-locked'],
    ['i am locked out', 'account-locked'],
    ['人と話したい', 'contact-helpdesk'],
    ['担当者に直接相談したいです', 'contact-helpdesk'],
    ['ヘルプデスクの人につないでください', 'contact-helpdesk'],
    ['初めてTechPassにログインしたいがやり方がわからない', 'q-onboarding'],
    ['はじめてのサインインの設定方法を知りたい', 'q-onboarding'],
    ['QRコードが読み込めない', 'setup-trouble'],
    ['認証アプリの設定中にQRコードをスキャンできません', 'setup-trouble'],
  ])('reads %j as %s', (text, expected) => {
    expect(firstCard(text)).toBe(expected);
  });

  it.each([
    ['スマホも認証アプリもSMSも全部使えません'],
    ['登録した認証方法は全部なくなりました'],
    ['電話もアプリも使えなくて、認証の手段がゼロです'],
  ])('reads %j as every method gone: the reset path', (text) => {
    expectFirstCard(text, 'c-reset');
  });
});

describe('a fifth round: look-alikes between the kinds that were confused most', () => {
  // Written before any phrase was changed for them: 34 of 36 passed then; all do now.
  it.each([
    ['i didnt get the notification to approve', 'notifications-not-arriving'],
    ['was waiting for the authenticator notification but nothing came', 'notifications-not-arriving'],
    ['the approve request does not come to my phone anymore', 'notifications-not-arriving'],
    ['no prompt appeared on my mobile', 'notifications-not-arriving'],
    ['i accidentally approved a sign in request that wasnt me', 'possible-compromise'],
    ['i got many approve requests and pressed approve by mistake', 'possible-compromise'],
    ['someone may have my password, i got a login request i didnt make', 'possible-compromise'],
    ['my laptop needs to be enrolled in intune before i can access', 'device-not-compliant'],
    ['it says i need to enroll this device in company portal', 'device-not-compliant'],
    ['device must be managed by your organization to access this resource', 'device-not-compliant'],
    ['your device is required to be compliant with the access policy', 'device-not-compliant'],
    ['my intune enrolment failed so i cant open teams', 'device-not-compliant'],
    ['i tried my password 10 times and now its locked', 'account-locked'],
    ['it says the account is temporarily locked', 'account-locked'],
    ['your account is locked try again later', 'account-locked'],
    ['my password expired yesterday', 'password-expired'],
    ['it asked me to update my password as it has expired', 'password-expired'],
    ['password too old need to change', 'password-expired'],
    ['my password is wrong apparently', 'password-forgotten'],
    ['it keeps telling me the password is invalid', 'password-forgotten'],
    ['スマホを落として行方不明です', 'q-other-method'],
    ['携帯をどこかに置き忘れたみたいで見つかりません', 'q-other-method'],
    ['iPhoneを盗まれた', 'q-other-method'],
    ['TechPassに初めてログインしたい', 'q-onboarding'],
    ['TechPassを使い始めたいのですが、最初に何をすればいいですか', 'q-onboarding'],
    ['新入社員で、初めてMicrosoftアカウントにサインインします', 'q-onboarding'],
    ['アカウントがロックされました', 'account-locked'],
    ['パスワードを何度か間違えたらロックされた', 'account-locked'],
    ['パスワードの期限切れと表示されます', 'password-expired'],
    ['パスワードを変更するよう求められます', 'password-expired'],
    ['パスワードが違うと言われる', 'password-forgotten'],
    ['正しいパスワードを入れているのに弾かれる', 'password-forgotten'],
    ['承認要求が来ないのでサインインできません', 'notifications-not-arriving'],
    ['身に覚えのない承認を押してしまいました', 'possible-compromise'],
    ['デバイスをIntuneに登録する必要があると表示された', 'device-not-compliant'],
    ['会社のポータルでデバイスを登録しないとアクセスできない', 'device-not-compliant'],
  ])('reads %j as %s', (text, expected) => {
    expect(firstCard(text)).toBe(expected);
  });
});

describe('a sixth round: every other kind, in words of our own', () => {
  // Written before any phrase was changed for them: 43 of 48 passed then; all do now.
  it.each([
    ['cannot get into my account at all', 'q-symptom'],
    ['login not working', 'q-symptom'],
    ['ログインできません、助けてください', 'q-symptom'],
    ['my gsib laptop says i need to set up wog mfa before techpass', 'wog-mfa-setup'],
    ['techpass asks for wog account verification first on my government laptop', 'wog-mfa-setup'],
    ['WOGアカウントのMFAを先に設定する必要があると言われた', 'wog-mfa-setup'],
    ['SGTS cannot be accessed from my home pc, what is SEED', 'not-eligible'],
    ['the onboarding portal says my mailbox is not eligible for self sign up', 'not-eligible'],
    ['my invitation came on monday but i didnt accept yet', 'invitation-pending'],
    ['i was invited to the team workspace but havent accepted, where is the link', 'invitation-pending'],
    ['招待メールを受け取ったがまだ承諾していない', 'invitation-pending'],
    ['the registration of security info is blocked by policy, error 53004', 'registration-blocked'],
    ['cannot add authenticator, it says you cant register security info from here', 'registration-blocked'],
    ['セキュリティ情報を登録できない、ポリシーでブロックされているようです', 'registration-blocked'],
    ['duo prompt fails, external security challenge not satisfied', 'external-challenge'],
    ['外部の多要素認証が完了しないと表示される', 'external-challenge'],
    ['AADSTS50034 the user account does not exist', 'wrong-username'],
    ['i typed my email wrong maybe, it says we couldnt find an account with that username', 'wrong-username'],
    ['ユーザー名が見つかりませんと表示されます', 'wrong-username'],
    ['the app says im not assigned, error 50105', 'app-not-assigned'],
    ['サインインはできるがアプリの利用が許可されていないと出る', 'app-not-assigned'],
    ['Selected user account does not exist in tenant Contoso', 'guest-not-in-tenant'],
    ['外部ユーザーとして追加されていないと言われた', 'guest-not-in-tenant'],
    ['it keeps logging me into my old company account', 'session-account-selection'],
    ['サインインすると別のアカウントで入ってしまう', 'session-account-selection'],
    ['i was given a temporary access pass, where do i enter it', 'tap-active'],
    ['一時アクセスパスの使い方を教えて', 'tap-active'],
    ['my security key doesnt work anymore', 'security-key-lost'],
    ['セキュリティキーをなくしました', 'security-key-lost'],
    ['windows hello pin forgotten, laptop wont let me in', 'hello-pin-forgotten'],
    ['PCのPINを忘れてログインできない', 'hello-pin-forgotten'],
    ['my phone number changed last week', 'phone-number-changed'],
    ['携帯の番号が変わりました', 'phone-number-changed'],
    ['my number was ported to another carrier without my consent and now i get no codes', 'possible-compromise'],
    ['急に圏外になってSMSが届かない、SIMが乗っ取られたかも', 'possible-compromise'],
    ['please verify me with my my number card so i can get a temporary pass', 'identity-verification'],
    ['顔認証とマイナンバーカードで本人確認したい', 'identity-verification'],
    ['i want an exemption from mfa', 'contact-helpdesk'],
    ['多要素認証の免除を申請したい', 'contact-helpdesk'],
    ['my name changed after marriage and my account needs updating', 'contact-helpdesk'],
    ['the authenticator shows a 6 digit code but the site wants a different number', 'number-matching'],
    ['Authenticatorの番号と画面の番号が違う', 'number-matching'],
    ['i am asked for more information to keep my account secure', 'register-first-method'],
    ['アカウントを保護するため詳細情報が必要ですと表示された', 'register-first-method'],
    ['my mfa setup got interrupted halfway and now it wont let me redo it', 'setup-trouble'],
    ['設定の途中で画面を閉じてしまい、MFAの登録が中途半端です', 'setup-trouble'],
  ])('reads %j as %s', (text, expected) => {
    expect(firstCard(text)).toBe(expected);
  });

  it.each([
    ['i lost my phone and i have nothing else to sign in with'],
    ['i need my mfa reset, my phone is gone and there are no other methods'],
  ])('reads %j as every method gone: the reset path', (text) => {
    expectFirstCard(text, 'c-reset');
  });
});

describe('a seventh round: two statements in one message, and English as it is typed across Asia', () => {
  // Written before any phrase was changed for them: 31 of 38 passed then; all do now.
  it.each([
    [
      'i reset my phone to factory settings yesterday and now cannot approve login, sms also registered',
      'sign-in-another-way',
    ],
    ['phone drop in toilet, dead already. got office desk phone registered for call', 'sign-in-another-way'],
    ['i have changed my mobile, previous mobile is with me only', 'new-phone-old-available'],
    ['changed mobile, previous mobile given for exchange', 'q-other-method'],
    ['pls help, authenticator app got deleted when i update phone, sms also cannot', 'q-other-method'],
    ['password already expire, when i change it say cannot reuse old password', 'password-expired'],
    ['the login page keep looping back to choose account', 'session-account-selection'],
    ['i try login, it say need admin approval', 'contact-helpdesk'],
    ['my id is disabled since i come back from maternity leave', 'account-disabled'],
    ['got message your sign in was blocked, i am in overseas', 'blocked-conditional-access'],
    ['my laptop not managed by company so cannot access outlook', 'device-not-compliant'],
    ['i got sms code but it say wrong code', 'number-matching'],
    ['the app keep asking me approve but i not logging in, i deny already', 'possible-compromise'],
    ['i dunno which number to key in', 'number-matching'],
    ['new staff, first time login, how to setup the mfa', 'q-onboarding'],
    ['i want set up authenticator but qr code cannot scan', 'setup-trouble'],
    ['techpass activation link expired already', 'invitation-expired'],
    ['どうしてもサインインできない、何が起きているのかわからない', 'q-symptom'],
    ['スマホを初期化してしまったが、SMSで認証できる', 'sign-in-another-way'],
    ['スマホを買い替えて、古い方は妻にあげてリセット済み', 'q-other-method'],
    ['新しいスマホを使っているが古いスマホも引き出しにある', 'new-phone-old-available'],
    ['認証アプリのアカウントを誤って削除したが、会社の固定電話が登録されている', 'sign-in-another-way'],
    ['承認を求める通知が知らない時間に何回も来て、うっかり承認してしまった', 'possible-compromise'],
    ['サインイン時に表示される2桁の数字をどこに入れるのか', 'number-matching'],
    ['アカウントの選択画面で止まってしまう', 'session-account-selection'],
    ['招待リンクを開くと期限切れと表示される', 'invitation-expired'],
    ['まだ招待を承諾していません、どうすれば良いですか', 'invitation-pending'],
    ['一時アクセスパスの有効期限が切れたらどうなるか', 'tap-active'],
    ['Windows HelloのPINを何度も間違えてロックされた', 'hello-pin-forgotten'],
    ['YubiKeyを家に忘れた、今日だけ入りたい', 'security-key-lost'],
    ['エラーコード53003でアクセスできない', 'blocked-conditional-access'],
    ['退職者扱いになっていてアカウントが停止されている', 'account-disabled'],
    ['アカウントがロックされて、30分待っても解除されない', 'account-locked'],
    ['学外からアクセスするとブロックされる', 'blocked-conditional-access'],
    ['管理されていないデバイスからはアクセスできませんと出る', 'device-not-compliant'],
  ])('reads %j as %s', (text, expected) => {
    expect(firstCard(text)).toBe(expected);
  });

  it.each([
    ['my mobile was snatched, kindly reset my mfa, there is no other device'],
    ['kindly do the needful, lost mobile and no alternate method'],
    ['携帯をなくして、SMSも電話も使えない、他に方法もない'],
  ])('reads %j as every method gone: the reset path', (text) => {
    expectFirstCard(text, 'c-reset');
  });
});

describe('an eighth round: the kinds the sixth held-out set missed, in phrasings of our own', () => {
  // Written before any phrase was changed for them: 23 of 34 passed then; all do now.
  it.each([
    ['got an invite to the partner portal, how do i get in', 'q-invitation'],
    ['someone sent me an invitation to join their organisation', 'q-invitation'],
    ['招待メールが来ていたのですが、どうすればいいですか', 'q-invitation'],
    ['my account was switched off by IT, why', 'account-disabled'],
    ['it says this account has been deactivated by your organization', 'account-disabled'],
    ['user account disabled error when i try to sign in with my work email', 'account-disabled'],
    ['got a new phone but still have my old phone with authenticator on it', 'new-phone-old-available'],
    ['i bought a new phone; the old one is next to me and still works', 'new-phone-old-available'],
    ['new phone arrived, old phone is still fine, need to move my mfa', 'new-phone-old-available'],
    ['機種変更した。旧スマホも問題なく動いている', 'new-phone-old-available'],
    ['i dont receive any push notification to approve my login', 'notifications-not-arriving'],
    ['no sign in notification on my phone even though i am trying to log in', 'notifications-not-arriving'],
    ['the approval notification is not showing on my iphone', 'notifications-not-arriving'],
    ['can i verify myself online with my id card and get a temporary pass', 'identity-verification'],
    ['i want to do the self service identity check to get a one time pass', 'identity-verification'],
    ['is there a way to prove who i am myself instead of waiting for the helpdesk', 'identity-verification'],
    ['自分で本人確認をして一時アクセスパスを発行したい', 'identity-verification'],
    ['forgot the pin for windows hello on my laptop', 'hello-pin-forgotten'],
    ['i cant remember my laptop sign in pin', 'hello-pin-forgotten'],
    ['windows asks for my pin and i forgot it', 'hello-pin-forgotten'],
    ['PCのサインインPINがわからない', 'hello-pin-forgotten'],
    ['管理者に確認が必要と表示されます', 'contact-helpdesk'],
    ['管理者に問い合わせてくださいと出た', 'contact-helpdesk'],
    ['システム管理者に連絡するよう表示される', 'contact-helpdesk'],
    ['認証アプリを消してしまったが、セキュリティキーは手元にある', 'sign-in-another-way'],
    ['Authenticatorを削除した。YubiKeyなら持っています', 'sign-in-another-way'],
    ['アプリをアンインストールしたけど、SMSでの認証は設定済み', 'sign-in-another-way'],
    ['この端末は登録の対象外ですと表示された', 'not-eligible'],
    ['このデバイスではセルフサインアップできないと言われた', 'not-eligible'],
    ['私物のPCは利用対象外と出てTechPassに登録できない', 'not-eligible'],
    ['認証方法を登録したのに使えない', 'setup-trouble'],
    ['Authenticatorの設定は完了したはずなのにサインインで使えない', 'setup-trouble'],
    ['電話番号を登録したがSMSが届かず登録が終わらない', 'setup-trouble'],
    ['i registered my phone number but the registration never finished', 'setup-trouble'],
  ])('reads %j as %s', (text, expected) => {
    expect(firstCard(text)).toBe(expected);
  });
});

describe('a ninth round: stories and indirect descriptions across every kind', () => {
  // Written before any phrase was changed for them: 36 of 39 passed then; all do now.
  it.each([
    ['was on holiday for 3 weeks, now outlook wont take my password', 'password-forgotten'],
    [
      'my password was changed by someone else i think, i cant get in and got an email about a password reset i didnt ask for',
      'possible-compromise',
    ],
    ['after the company reset my password i still cannot log in', 'password-forgotten'],
    ['keeps saying something went wrong with error 53003', 'blocked-conditional-access'],
    ['on the train in japan, outlook says access denied from this location', 'blocked-conditional-access'],
    ['the new laptop from IT says it is not registered with the company', 'device-not-compliant'],
    ['my personal ipad cant open company email, says device must be enrolled', 'device-not-compliant'],
    ["i get a code by text but it is always 'invalid code'", 'number-matching'],
    ['the authenticator app wants me to type a two-digit number i cant see', 'number-matching'],
    ['authenticator pops up but i cant approve, it just spins', 'q-mfa-problem'],
    ['mfa broken', 'q-mfa-problem'],
    ['my daughter reset my phone to play games and now authenticator is gone', 'q-other-method'],
    ['my screen broke so i cant use the app, but i can still get calls', 'sign-in-another-way'],
    ['left my phone at home, can i sign in today', 'q-other-method'],
    ['i have the tap from the service desk but it says invalid', 'tap-active'],
    ['where do i type the temporary access pass the helpdesk sent me', 'tap-active'],
    ['what should i do on the TechPass onboarding page first', 'q-onboarding'],
    ['the mail invite from techpass says expired', 'invitation-expired'],
    ['guest user, contoso says my account is not found in their directory', 'guest-not-in-tenant'],
    ['it says your account or password is incorrect, and i am sure of my email', 'password-forgotten'],
    ['stuck on "stay signed in?" then loops back to email', 'session-account-selection'],
    ['the yubikey is gone', 'security-key-lost'],
    ['I cant remember windows hello pin and my fingerprint doesnt work', 'hello-pin-forgotten'],
    ['I moved to a new number with a different operator', 'phone-number-changed'],
    ['退職した同僚のアカウントではなく自分のアカウントなのに無効と表示される', 'account-disabled'],
    ['ずっと「しばらくしてからもう一度お試しください」と出てロックされたまま', 'account-locked'],
    ['ログインしようとすると「パスワードの有効期限が切れています」', 'password-expired'],
    ['二段階認証の画面で止まって進めない', 'q-mfa-problem'],
    ['会社支給のiPhoneを返したので認証できません', 'q-other-method'],
    ['スマホを修理に出していて手元にない', 'q-other-method'],
    ['Authenticatorが表示する番号とPCの番号が合わない', 'number-matching'],
    ['SIMカードが勝手に無効になって、知らないログイン通知が来た', 'possible-compromise'],
    ['海外出張中にアクセスがブロックされた', 'blocked-conditional-access'],
    ['新しいPCでIntuneに登録してくださいと出る', 'device-not-compliant'],
    ['招待リンクをクリックしたら「有効期限が切れています」', 'invitation-expired'],
    ['一時アクセスパスを入力したのにサインインできない', 'tap-active'],
    ['Windows HelloのPINを忘れてパソコンに入れない', 'hello-pin-forgotten'],
  ])('reads %j as %s', (text, expected) => {
    expect(firstCard(text)).toBe(expected);
  });

  it.each([['phone fell in the pool and i have no other way to log in'], ['修理中のスマホしか認証方法がない']])(
    'reads %j as every method gone: the reset path',
    (text) => {
      expectFirstCard(text, 'c-reset');
    },
  );
});

describe('a tenth round: the kinds the tenth held-out set missed, in phrasings of our own', () => {
  // Written before any phrase was changed for them: 4 of 20 passed then (the phrases alone); all do now. The last two
  // are look-alikes the new phrases must leave alone.
  it.each([
    ["there's a problem with my account, it won't let me in", 'q-account'],
    ['account error when opening teams', 'q-account'],
    ['アカウントがおかしいみたいでサインインできません', 'q-account'],
    ['アカウントのエラーが出て入れない', 'q-account'],
    ['please reset the MFA for my manager, she is on leave', 'contact-helpdesk'],
    ["can you give me my colleague's temporary access pass", 'contact-helpdesk'],
    ['同僚のパスワードをリセットしてもらえますか', 'contact-helpdesk'],
    ['上司の一時アクセスパスを教えてください', 'contact-helpdesk'],
    ['how do I create a TechPass account', 'q-onboarding'],
    ['テックパスのアカウントを申請したい', 'q-onboarding'],
    ['we only have litemail, can we use techpass', 'not-eligible'],
    ["got the invite yesterday and haven't accepted it yet", 'invitation-pending'],
    [
      'You cannot access this right now. Your sign-in was successful but does not meet the criteria to access this resource.',
      'blocked-conditional-access',
    ],
    [
      'サインインは成功しましたが、このリソースにアクセスするための条件を満たしていません',
      'blocked-conditional-access',
    ],
    ['多要素認証で止まってしまう', 'q-mfa-problem'],
    ['個人用のMicrosoftアカウントで勝手にログインされる', 'session-account-selection'],
    ['うっかり承認要求を拒否してしまった', 'mfa-denied-or-timeout'],
    ['通知を間違えて拒否しちゃいました', 'mfa-denied-or-timeout'],
    ['i forgot my password again, the one for my staff email', 'password-forgotten'],
    ['退職した同僚のパスワードではなく自分のアカウントが使えない', 'q-symptom'],
  ])('reads %j as %s', (text, expected) => {
    expect(firstCard(text)).toBe(expected);
  });
});

describe('an eleventh round: the kinds the eleventh held-out set missed, in phrasings of our own', () => {
  // Written before any phrase was changed for them: 0 of 27 passed then (the phrases alone), all do now; Japanese about
  // the My Number card already read right, so it has none. The last four are look-alikes the new phrases leave alone.
  it.each([
    [
      "My phone has asked me to approve a sign-in about 15 times today. I didn't trigger those and declined every one.",
      'possible-compromise',
    ],
    [
      'authenticator asked me to approve a login 6 times this afternoon, i didnt trigger it so i denied all of them',
      'possible-compromise',
    ],
    ['承認のリクエストが立て続けに来ています。自分ではサインインしていないので全部拒否しました', 'possible-compromise'],
    ['承認通知が続けて届きました。私はログインしていないのでどれも拒否しました', 'possible-compromise'],
    ['I tapped deny by accident and now the page says AADSTS50074', 'mfa-denied-or-timeout'],
    ['error 50076 after I rejected the sign-in request on my phone by mistake', 'mfa-denied-or-timeout'],
    ['間違えて拒否を押したらAADSTS50076と出ました', 'mfa-denied-or-timeout'],
    ['エラー50074。承認のリクエストをうっかり拒否してしまいました', 'mfa-denied-or-timeout'],
    [
      "I'm getting a new phone next week, the current one is still working. How do I move the authenticator?",
      'new-phone-old-available',
    ],
    ['switching to a new iPhone soon and my existing phone is still with me', 'new-phone-old-available'],
    ['来週スマホを買い替えます。今のスマホはまだ使えます', 'new-phone-old-available'],
    ['機種変更の予定です。現在の端末もまだ手元にあります', 'new-phone-old-available'],
    [
      "I can't use any of my sign-in methods. Can I verify myself with my My Number card and get a temporary access pass?",
      'c-reset',
    ],
    ['none of my methods work anymore, can I verify myself and get a temporary access pass online?', 'c-reset'],
    ['the invitation link from january does not open anymore', 'invitation-expired'],
    ["got my techpass invite back in october and only trying it now, the link won't work", 'invitation-expired'],
    ['3月にもらった招待メールのリンクが開けません', 'invitation-expired'],
    ['11月に届いた招待のリンクを開いてもエラーになります', 'invitation-expired'],
    ['会社が管理している端末でないとアクセスできないと表示されます', 'device-not-compliant'],
    ['管理されたデバイスからでないと使えませんと言われました', 'device-not-compliant'],
    ['Authenticatorの初期設定でQRコードを読み込もうとしてもカメラが反応しない', 'setup-trouble'],
    ['the camera does not react when I point it at the QR code during setup', 'setup-trouble'],
    ['QRコードをかざしても何も反応しません', 'setup-trouble'],
    ['チャットボットではなく担当者の方とお話しさせてください', 'contact-helpdesk'],
    ['人間のオペレーターの方とお話しできますか', 'contact-helpdesk'],
    ['「アカウントが無効になっています。システム管理者に連絡してください」と出ました', 'account-disabled'],
    ['アカウントが停止されています、管理者に問い合わせてください、と表示される', 'account-disabled'],
    ['AADSTS50076 when I open Outlook on the web', 'q-mfa-problem'],
    ['got a new phone, the current one works but authenticator on it is empty', 'q-old-phone'],
    ['管理者に問い合わせてくださいと表示されます', 'contact-helpdesk'],
    ['I rejected the request by mistake', 'mfa-denied-or-timeout'],
  ])('reads %j as %s', (text, expected) => {
    expectFirstCard(text, expected);
  });
});

describe('never too early: unsure is not "nothing else"', () => {
  // Look-alikes of "every method is gone" that only say the person is unsure, or say something else is missing;
  // written before any change for them: 14 of 19 passed then (two went straight to the reset path); all do now.
  it.each([
    ['lost my phone, i dont know if i have any other methods', 'q-other-method'],
    ['lost my phone, not sure what else i registered', 'q-other-method'],
    ['lost my phone. no idea about backups', 'q-other-method'],
    ['lost my phone and i have no access to my email either', 'q-other-method'],
    ['my phone is gone, i do not remember setting up anything else', 'q-other-method'],
    ["phone stolen, can't check which other methods I have", 'q-other-method'],
    ['lost my phone, nothing works right now', 'q-other-method'],
    ['phone lost, no signal here so i cant get sms at the moment', 'q-other-method'],
    ['i lost my phone and i dont have my laptop with me either', 'q-other-method'],
    ['lost phone, i never use sms', 'q-other-method'],
    ['my phone broke and none of the apps open', 'q-other-method'],
    ['phone dead. no way to log in now', 'q-other-method'],
    ['スマホをなくしました。ほかの方法を登録したか覚えていません', 'q-other-method'],
    ['スマホを紛失。他に何を登録したかわからない', 'q-other-method'],
    ['携帯をなくして、今はログインする方法がない', 'q-other-method'],
    ['スマホが壊れて何もできない', 'q-other-method'],
  ])('reads %j as %s, not as every method gone', (text, expected) => {
    expect(firstCard(text)).toBe(expected);
  });

  it.each([
    ['lost my phone and i have no other method registered at all'],
    ['lost my phone, that was my only mfa device'],
    ['スマホをなくしました。認証方法はそれしかありません'],
  ])('reads %j as every method gone: the reset path', (text) => {
    expectFirstCard(text, 'c-reset');
  });
});

describe('signals', () => {
  const engine = new DiagnosisEngine(shippedKnowledge, EVERY_LINK);
  const begin = (text: string) => {
    const { intent, said } = readFirstMessage(text, shippedKnowledge);
    return engine.begin({}, intent?.id, said);
  };

  it('are read only when the message names a complaint', () => {
    const text = 'the old phone still works';
    expect(readFirstMessage(text, shippedKnowledge).said).toContain('old-phone-at-hand');
    expect(readFirstMessage(text, { ...shippedKnowledge, intents: [] })).toEqual({ intent: undefined, said: [] });
  });

  it('answer a question in words, which the record shows as said, not asked', () => {
    const { state } = begin('my phone fell in the river. the office landline is registered as well');
    expect(state.questionsAsked).toBe(0);
    expect(state.path).toContainEqual({ node: 'q-other-method', via: 'said', choice: 'yes' });
  });

  it('outrank the directory, which knows what is registered but not what works', () => {
    const text = 'my phone fell in the river and everything was on that phone';
    const { intent, said } = readFirstMessage(text, shippedKnowledge);
    const step = engine.begin({ hasSeveralMfaMethods: true }, intent?.id, said);
    expect(step.state.path).toContainEqual({ node: 'q-other-method', via: 'said', choice: 'no' });
  });

  it('that say two answers to one question answer nothing: the question is asked', () => {
    expect(readFirstMessage('the old one still works but its screen is smashed', shippedKnowledge).said).toEqual([
      'old-phone-at-hand',
      'old-phone-gone',
    ]);
    const step = engine.begin({}, 'new-phone', ['old-phone-at-hand', 'old-phone-gone']);
    expect(step.view.kind === 'question' && step.view.node.id).toBe('q-old-phone');
    expect(engine.begin({}, 'new-phone', ['old-phone-gone']).state.path).toContainEqual({
      node: 'q-old-phone',
      via: 'said',
      choice: 'no',
    });
  });

  it('that say every method is lost tick them all on the application', () => {
    const { state } = begin('my phone fell in the river and everything was on that phone');
    expect(state.path).toContainEqual({ node: 'q-other-method', via: 'said', choice: 'no' });
    expect(engine.lostMethods(state)).toBe('all');
  });
});

describe('written dev round, Japanese: the kinds the written Japanese dev set missed most, in phrasings of our own', () => {
  // Not taken from the dev set; 0 of 20 passed on the knowledge before this round, all do now. The dev set's own
  // figure: 865 of 1,195 before, 1,126 after.
  it.each([
    ['ログアウトしたのに、また同じアカウントが自動で選ばれてしまいます', 'session-account-selection'],
    ['仕事用と個人の両方のアカウントがあって、どっちでログインしているのか分からない', 'session-account-selection'],
    ['Outlookを開くと、同僚が使っていた別のアカウントでサインイン済みになっている', 'session-account-selection'],
    ['MFAの調子がおかしいです', 'q-mfa-problem'],
    ['二段階認証のところで詰まっています', 'q-mfa-problem'],
    ['サインインの承認リクエストの期限が切れてしまいました', 'mfa-denied-or-timeout'],
    ['自分のサインインだったのに「拒否」を押してしまいました', 'mfa-denied-or-timeout'],
    ['パソコンを使っていないのに承認の通知が届きました', 'possible-compromise'],
    ['Authenticatorを消してしまいましたが、SMSは今も来ます', 'sign-in-another-way'],
    ['スマホが壊れました。Authenticator以外の方法は登録していません', 'c-reset'],
    ['機種変更しましたが、前のスマホでもまだ承認できます', 'new-phone-old-available'],
    ['サインインしたら多要素認証を登録するように求められました', 'register-first-method'],
    ['初期設定の途中でアプリが落ちて、中途半端になってしまった', 'setup-trouble'],
    ['ヘルプデスクの担当者に直接問い合わせたいです', 'contact-helpdesk'],
    ['TAPを発行する方法を教えてください', 'identity-verification'],
    ['キャリアを乗り換えて番号が変わったので、SMSが受け取れません', 'phone-number-changed'],
    ['アカウント関連の警告が出ています', 'q-account'],
    ['ノートPCが会社のセキュリティ要件を満たしていないようでTeamsが開けません', 'device-not-compliant'],
    ['セキュリティキーを落としてしまいました', 'security-key-lost'],
    ['VPNにつながないとサインインがブロックされます', 'blocked-conditional-access'],
  ])('reads %j as %s', (text, expected) => {
    expectFirstCard(text, expected);
  });
});

describe('written dev round, English: the kinds the written English dev set missed most, in phrasings of our own', () => {
  // Not taken from the dev set; 0 of 19 passed on the knowledge before this round, all do now. The dev set's own
  // figure: 1,005 of 1,281 before, 1,149 after.
  it.each([
    ['i cant use any of my verification methods anymore', 'c-reset'],
    ['no sign-in methods left that work for me', 'c-reset'],
    ['all my 2fa options are gone', 'c-reset'],
    ['how do i reach the it helpdesk', 'contact-helpdesk'],
    ['please open a support ticket for me', 'contact-helpdesk'],
    ['Teams shows a message about my account and stops', 'q-account'],
    ['can i use my my number card to get a temporary access pass', 'identity-verification'],
    ['i wasnt signing in but a call asked me to approve a sign in', 'possible-compromise'],
    ['how can i get techpass for my new project', 'q-onboarding'],
    ['new phone, the old phone still approves sign in requests', 'new-phone-old-available'],
    ['i did not complete the verification in time', 'mfa-denied-or-timeout'],
    ['after i approve in authenticator there is an extra check from another provider', 'external-challenge'],
    ['wrong user gets signed in on teams', 'session-account-selection'],
    ['my acc is deactivated', 'account-disabled'],
    ['my pw is expired', 'password-expired'],
    ['locked out again after my laptop kept trying the old password', 'account-locked'],
    ['the helpdesk emailed me a temporary access password, what now', 'tap-active'],
    ['the setup timed out before i could finish', 'setup-trouble'],
    ['it says check the username and try again', 'wrong-username'],
  ])('reads %j as %s', (text, expected) => {
    expectFirstCard(text, expected);
  });
});

describe('a twelfth round: the kinds held-out set 12 missed, and the English dev set’s larger groups, in our own words', () => {
  // Not taken from set 12 or the dev set; 0 of 12 passed on the knowledge before this round, all do now. Set 12 (spent):
  // en 56 → 60, ja 59 → 60 of 60; the English dev set 1,149 → 1,158 of 1,281.
  it.each([
    // A lost phone without a word about backups is asked about other methods, never sent towards the reset.
    [
      'forgot my mobile in an uber last night and the driver never answered, how do i get into outlook',
      'q-other-method',
    ],
    ['left my phone at a restaurant and never got it back, how do i sign in to teams', 'q-other-method'],
    ['my phone and my security key were both lost on the same day, no other way to verify', 'c-reset'],
    // "wants me to approve in the app" is the new phone's request, not the old phone still approving.
    [
      'sold my old handset to a friend so it is gone. my new phone has no authenticator app and sign in wants me to approve in the app',
      'q-other-method',
    ],
    ['it says my pw has expired and i dont know what to do on that screen', 'password-expired'],
    // 登録していた describes what was registered, not SMS being registered now.
    ['携帯が故障しました。登録していた方法はこの携帯だけで、SMSも固定電話も登録していません', 'c-reset'],
    ['i cant find my phone anywhere, how do i sign in to teams', 'q-other-method'],
    ['my phone got run over by a bus, how do i log in now', 'q-other-method'],
    ['my iphone was stolen while on vacation and now i cant sign in', 'q-other-method'],
    ['lost both of my phones and cannot log in', 'q-other-method'],
    ['phone is dead and i need to log in to my utokyo account', 'q-other-method'],
    ['someone keeps sending sign in prompts to my phone', 'possible-compromise'],
  ])('reads %j as %s', (text, expected) => {
    expectFirstCard(text, expected);
  });
});
