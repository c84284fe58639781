// The words of the few dialogs and titles main shows itself (start-up errors, a crashed window,
// quitting during a run, the sign-in window), in English and Russian. The language follows the system, as the page's does
// until the admin picks one. Read at show time: app.getLocale() is only reliable after `ready`.
import { app } from 'electron'

export type MainLocale = 'en' | 'ru'

export function mainLocale(): MainLocale {
  let locale = ''
  try {
    locale = app.getLocale()
  } catch {
    // before ready on some platforms
  }
  return locale.toLowerCase().startsWith('ru') ? 'ru' : 'en'
}

export interface DialogText {
  dataDirTitle: string
  dataDir(dir: string, reason: string): string
  cannotStartTitle: string
  windowFailedTitle: string
  detailsIn(logFile: string): string
  crashedTitle: string
  crashedMessage: string
  crashedDetail: string
  reload: string
  quit: string
  runningTitle: string
  running(count: number): string
  runningDetail: string
  pauseAndQuit: string
  keepRunning: string
  signIn: string
}

const en: DialogText = {
  dataDirTitle: 'The data folder cannot be written',
  dataDir: (dir, reason) =>
    `Trigger Runner keeps its profiles and run journals in\n${dir}\nbut cannot write there (${reason}).\n\n` +
    'Free some disk space or fix the folder\'s permissions, or start the app with the environment ' +
    'variable B24TR_DATA_DIR set to a folder you can write to.',
  cannotStartTitle: 'Trigger Runner could not start',
  windowFailedTitle: 'The app window could not start',
  detailsIn: (logFile) => `Details are in ${logFile}`,
  crashedTitle: 'The window stopped',
  crashedMessage: 'The app window stopped working.',
  crashedDetail: 'Runs in progress keep their journal; reloading shows them again.',
  reload: 'Reload',
  quit: 'Quit',
  runningTitle: 'A run is in progress',
  running: (n) => (n === 1 ? 'A run is still sending.' : `${n} runs are still sending.`),
  runningDetail:
    'Quitting pauses it: requests already sent get their answers recorded first, then the app ' +
    'closes. Resume it later from the run list; no row is sent twice.',
  pauseAndQuit: 'Pause and quit',
  keepRunning: 'Keep running',
  signIn: 'Sign in to Bitrix24'
}

const ru: DialogText = {
  dataDirTitle: 'Папка данных недоступна для записи',
  dataDir: (dir, reason) =>
    `Trigger Runner хранит профили и журналы запусков в папке\n${dir}\nно не может туда писать (${reason}).\n\n` +
    'Освободите место на диске или исправьте права на папку, либо запустите приложение с ' +
    'переменной окружения B24TR_DATA_DIR, указывающей на папку, доступную для записи.',
  cannotStartTitle: 'Trigger Runner не удалось запустить',
  windowFailedTitle: 'Окно приложения не удалось открыть',
  detailsIn: (logFile) => `Подробности в ${logFile}`,
  crashedTitle: 'Окно перестало работать',
  crashedMessage: 'Окно приложения перестало работать.',
  crashedDetail: 'Идущие запуски сохраняют журнал; после перезагрузки окна они снова видны.',
  reload: 'Перезагрузить',
  quit: 'Выйти',
  runningTitle: 'Идёт запуск',
  running: (n) => (n === 1 ? 'Запуск ещё отправляет запросы.' : `Запусков, которые ещё отправляют запросы: ${n}.`),
  runningDetail:
    'Выход приостановит его: ответы на уже отправленные запросы будут записаны, затем приложение ' +
    'закроется. Продолжить можно позже из списка запусков; ни одна строка не будет отправлена дважды.',
  pauseAndQuit: 'Приостановить и выйти',
  keepRunning: 'Продолжить работу',
  signIn: 'Вход в Битрикс24'
}

export function dialogText(locale: MainLocale = mainLocale()): DialogText {
  return locale === 'ru' ? ru : en
}
