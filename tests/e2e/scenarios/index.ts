// Scenario files, in the order they run (each builds on the state the previous ones left).
import './portals'
import './triggers'
import './exact-inputs'
import './batch'
import './recovery'
import './screenshots'
import './secrets'
