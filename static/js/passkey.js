// allauth's passkey script reports a failure as an "allauth.error" event and otherwise only logs it to
// the console, so the person sees nothing happen: say it next to the button instead, in words, with
// the browser's own reason after them.
(function () {
  const words = {
    NotAllowedError: 'The passkey was not used: the request was cancelled or timed out. Try again, or use your password.',
    SecurityError: "Your browser refused passkeys here: they need the server's domain name and https (or localhost).",
    InvalidStateError: 'This passkey or key is already added to your sign-in.',
    AbortError: 'The passkey request was cancelled.',
    NotSupportedError: 'This browser or device has no passkey that fits.'
  }
  document.addEventListener('allauth.error', function (event) {
    const box = document.querySelector('[data-passkey-error]')
    if (!box) return
    event.preventDefault()  // shown here, so allauth need not log it to the console
    const exception = event.detail && event.detail.exception
    const name = (exception && exception.name) || ''
    const reason = (exception && exception.message) || String(exception)
    box.textContent = (words[name] || 'The passkey did not work.') + ' (' + (name ? name + ': ' : '') + reason + ')'
  })
})()
