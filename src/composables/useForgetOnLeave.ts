// Secrets typed into a form leave the page as soon as the form goes away, hidden by a KeepAlive
// or unmounted, so no closed or hidden form keeps them (the keychain is their only home).
import { onBeforeUnmount, onDeactivated } from 'vue'

export function useForgetOnLeave(forget: () => void): void {
  onDeactivated(forget)
  onBeforeUnmount(forget)
}
