// Scenario files, in the order they run (each builds on the state the previous ones left).
import './portals'
import './triggers'
import './batch'
import './workbook'
import './crm-source'
import './recovery'
import './screenshots'
import './secrets'
